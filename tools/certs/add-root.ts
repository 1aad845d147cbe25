/**
 * Copies a root CA from Node's bundled Mozilla store into certs/ as a PEM file with a comment
 * header (subject, SHA-256 fingerprint, expiry), ready for the firmware to embed.
 *
 *   npm run certs:add -- "ISRG Root X1" [file-name.pem]
 *
 * The name is matched against the certificate's CN exactly. Add the file to `caFiles` in
 * manifest.json (the certificate test fails until the two agree).
 */
import { X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";

/** The comment header written above each embedded certificate. */
export function certificateHeader(cert: X509Certificate, source: string): string {
  const subject = cert.subject.split("\n").reverse().join(", ");
  return [
    `# Subject: ${subject}`,
    `# SHA-256: ${cert.fingerprint256}`,
    `# Not after: ${new Date(cert.validTo).toISOString().replace(".000Z", "Z")}`,
    `# Source: ${source}`,
    "",
  ].join("\n");
}

function main(argv: string[]): void {
  const [cn, fileArg] = argv;
  if (!cn) {
    console.error('usage: npm run certs:add -- "<root CN>" [file-name.pem]');
    process.exit(2);
  }
  const found = rootCertificates.map((pem) => ({ pem, cert: new X509Certificate(pem) })).filter(({ cert }) => {
    const m = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
    return m !== null && m[1] === cn;
  });
  if (found.length !== 1) {
    console.error(found.length === 0 ? `no root named "${cn}" in Node's store` : `${found.length} roots named "${cn}"`);
    process.exit(1);
  }
  const { pem, cert } = found[0];
  const file = fileArg ?? `${cn.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}.pem`;
  const path = join(__dirname, "..", "..", "certs", file);
  writeFileSync(path, certificateHeader(cert, `Node.js ${process.version} tls.rootCertificates (Mozilla CA store)`) + pem.trim() + "\n");
  console.log(`wrote certs/${file}: ${cert.subject.split("\n").reverse().join(", ")}, expires ${cert.validTo}`);
}

if (require.main === module) main(process.argv.slice(2));
