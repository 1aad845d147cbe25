/** The log sink of the device: one `trace` line each (the serial console; stdout in the simulator). */
import type { LogSink } from "../client/io";

export const traceLog: LogSink = (line: string) => trace(`${line}\n`);
