/**
 * The URL scanners (modules/http/url.ts) against the regexes they replaced (see
 * replaced-regexes.ts), each edge code in each position.
 */
import { ipv4Parts, isDigitsAndDots, isHostLabel, isPathSafe, isVisibleAscii, schemeEnd, splitUrl } from "../../modules/http/url";
import { acceptsCase, sameResultCase, withEdgeCodes } from "./regex-oracle";
import { IPV4, LABEL, PATH_SAFE, SCHEME, URL_PARTS } from "./replaced-regexes";
import { PortableSuite } from "./suite";

const SCHEMES = ["", ":", "h:", "h", "http://", "https:", "1http:", "a+b-c.d:x", ...withEdgeCodes(["%ttp:", "h%tp:", "http%", "http%//", "h%"])];
const URLS = ["", "http://", "http://h", "http:/h", "http:h", "http://h?q#f", "http://h#f?q", "http://h/p?q#f#g", "x://a@b:1/c", ...withEdgeCodes(["%ttp://h/p", "http%//h/p", "http:%/h/p", "http:/%h/p", "http://h%/p?q#f", "http://h/p%q#f", "http://h/p?q%#f", "http://h/p#%"])];
const HOSTS = ["", "1.2.3.4", "255.255.255.255", "256.1.1.1", "1234.1.1.1", "01.002.3.4", "1.2.3", "1.2.3.4.5", "1.2.3.4.", "...", "1..2.3", ".1.2.3", ...withEdgeCodes(["%.1.2.3", "1%2.3.4", "1.2.3.%", "1.2.3.4%"])];
const LABELS = ["", "a", "-", "_", "a-", "-a", "a-b", "a_b", "a".repeat(62), "a".repeat(63), "a".repeat(64), `a${"-".repeat(61)}b`, `a${"-".repeat(62)}b`, ...withEdgeCodes(["%", "a%", "%a", "a%b", "%%"])];

export const suite: PortableSuite = {
  name: "URL scanners against the regexes they replaced",
  cases: [
    sameResultCase("scheme: the index of its colon, each edge code in each position", SCHEMES, schemeEnd, (s) => {
      const m = SCHEME.exec(s);
      return m ? m[0].length - 1 : -1;
    }),
    sameResultCase("scheme, authority and the rest up to the fragment", URLS, (s) => {
      const m = splitUrl(s);
      return m && [m.scheme, m.authority, m.rest];
    }, (s) => {
      const m = URL_PARTS.exec(s);
      return m && [m[1], m[2], m[3]];
    }),
    sameResultCase("dotted IPv4 form: four numbers of 1 to 3 digits", HOSTS, ipv4Parts, (s) => {
      const m = IPV4.exec(s);
      return m && [m[1], m[2], m[3], m[4]];
    }),
    acceptsCase("digits and dots only", HOSTS, isDigitsAndDots, (s) => /^[0-9.]+$/.test(s)),
    acceptsCase("host labels: lower case, digits, _ and inner -, 1 to 63 characters", LABELS, isHostLabel, (s) => LABEL.test(s)),
    acceptsCase("visible ASCII host text", ["", "h.io", ...withEdgeCodes(["%", "h%o", "%%"])], isVisibleAscii, (s) => !/[^\x21-\x7e]/.test(s)),
    acceptsCase("path characters kept as they are: every edge code", withEdgeCodes(["%"]), (s) => isPathSafe(s.charCodeAt(0)), (s) => PATH_SAFE.test(s)),
  ],
};
