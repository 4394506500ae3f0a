// tls-check.sh against real `openssl s_server` instances on 127.0.0.1, with a
// test CA and leaf certificates generated here by the openssl CLI, run the way
// the CronJob runs it: `sh script.sh`, input only through the environment.
// Plus the pure pieces of components/jobs/tlsCheck.ts.
//
// Expiry dates are exact: `openssl ca -startdate/-enddate` signs any validity
// period, in the past too (OpenSSL 3.0 has no `x509 -not_after`, and `-days`
// cannot be negative). Every end date is a whole number of days plus twelve
// hours away, so the script's whole-day count is that number of days.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile, mkdir } from "node:fs/promises";
import { createServer, connect, type Server, type Socket, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { tlsCheckContainer, tlsEndpointsEnv } from "../components/jobs/tlsCheck";
import { outcomeOf, startScript, type Outcome } from "./support/scripts";
import { startPushgateway, type Server as Gateway } from "./support/monitoring";
import { freePort } from "./support/postgres";
import { assertPushedAsRecorded } from "./support/record";

const SCRIPT = join(process.cwd(), "components/scripts/tls-check.sh");
const DAY_MS = 86_400_000;
const run = promisify(execFile);

/** stdout is what the script printed before its outcome line, which is `outcome`. */
interface Run { code: number; stdout: string; stderr: string; ms: number; outcome: Outcome }

function runScript(env: Record<string, string>, shell: readonly string[] = ["sh"], path = process.env.PATH ?? ""): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(shell[0]!, [...shell.slice(1), SCRIPT], { env: { PATH: path, HOME: "/tmp", ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      try {
        const { log, outcome } = outcomeOf(stdout);
        resolve({ code, stdout: log, stderr, ms: Date.now() - started, outcome });
      } catch (e) {
        reject(e);
      }
    });
  });
}

let dir: string;
const servers: ChildProcess[] = [];
const tcpServers: Server[] = [];
const sockets = new Set<Socket>();

/** Where each kind of server listens. */
const port: Record<"valid" | "expiring" | "expired" | "wrongHost" | "selfSigned" | "plain" | "silent" | "refused", number> = {
  valid: 0, expiring: 0, expired: 0, wrongHost: 0, selfSigned: 0, plain: 0, silent: 0, refused: 0,
};
let plainConnections = 0;

async function waitForAccept(p: number, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`s_server on ${p} exited with ${server.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(p, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`s_server on ${p} never accepted`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sServer(cert: string, key: string): Promise<number> {
  const p = await freePort();
  const server = spawn("openssl", ["s_server", "-accept", `127.0.0.1:${p}`, "-cert", cert, "-key", key, "-www", "-quiet"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "ignore"],
  });
  servers.push(server);
  await waitForAccept(p, server);
  return p;
}

async function tcpServer(onConnection: (s: Socket) => void): Promise<number> {
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
    onConnection(s);
  });
  tcpServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** GeneralizedTime, as `openssl ca -startdate/-enddate` reads it. */
function asn1Time(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, "").replace(/\.\d+Z$/, "Z");
}

const openssl = (args: string[]) => run("openssl", args, { cwd: dir, env: { ...process.env, OPENSSL_CONF: join(dir, "openssl.cnf") } });

/** A leaf signed by the test CA with these SANs, valid between the two instants. */
async function caSigned(name: string, san: string, from: number, to: number): Promise<string> {
  await writeFile(
    join(dir, `${name}.ext`),
    `[ leaf ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = ${san}\nauthorityKeyIdentifier = keyid\n`,
  );
  await openssl([
    "ca", "-batch", "-notext", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "leaf.csr", "-out", `${name}.pem`,
    "-startdate", asn1Time(from), "-enddate", asn1Time(to), "-extfile", `${name}.ext`, "-extensions", "leaf",
  ]);
  return `${name}.pem`;
}

let gateway: Gateway;

before(async () => {
  gateway = await startPushgateway();
  dir = await mkdtemp(join(tmpdir(), "upkeep-tls-"));
  // Our own config, so the system's openssl.cnf adds no extensions of its own.
  await writeFile(
    join(dir, "openssl.cnf"),
    [
      "[ req ]", "distinguished_name = dn", "prompt = no", "[ dn ]", "CN = unused",
      "[ v3_ca ]", "basicConstraints = critical, CA:TRUE", "keyUsage = critical, keyCertSign, cRLSign", "subjectKeyIdentifier = hash",
      "[ ca ]", "default_ca = test_ca",
      "[ test_ca ]", "database = index.txt", "new_certs_dir = .", "serial = serial", "default_md = sha256", "policy = any", "unique_subject = no",
      "[ any ]", "commonName = supplied", "",
    ].join("\n"),
  );
  await writeFile(join(dir, "index.txt"), "");
  await writeFile(join(dir, "serial"), "01\n");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(["req", "-x509", "-new", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Upkeep Test CA", "-days", "3650", "-extensions", "v3_ca"]);
  await openssl(["req", "-new", ...ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost"]);
  await openssl(["req", "-x509", "-new", ...ec, "-keyout", "self.key", "-out", "self.pem", "-subj", "/CN=localhost", "-days", "90", "-addext", "subjectAltName=DNS:localhost"]);

  const now = Date.now();
  const half = DAY_MS / 2;
  const localhost = "DNS:localhost, IP:127.0.0.1";
  port.valid = await sServer(await caSigned("valid", localhost, now - DAY_MS, now + 90 * DAY_MS + half), "leaf.key");
  port.expiring = await sServer(await caSigned("expiring", localhost, now - 80 * DAY_MS, now + 5 * DAY_MS + half), "leaf.key");
  port.expired = await sServer(await caSigned("expired", localhost, now - 90 * DAY_MS, now - DAY_MS), "leaf.key");
  port.wrongHost = await sServer(await caSigned("wrong-host", "DNS:other.example.com", now - DAY_MS, now + 90 * DAY_MS + half), "leaf.key");
  port.selfSigned = await sServer("self.pem", "self.key");
  // Speaks something other than TLS, then hangs up.
  port.plain = await tcpServer((s) => {
    plainConnections++;
    s.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });
  // Accepts and never answers.
  port.silent = await tcpServer(() => undefined);
  port.refused = await freePort();
});

after(async () => {
  for (const s of servers) s.kill("SIGKILL");
  for (const s of sockets) s.destroy();
  await Promise.all(tcpServers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  if (dir) await rm(dir, { recursive: true, force: true });
  await gateway?.stop();
});

const lines = (s: string) => s.replace(/\n$/, "").split("\n");
const caEnv = () => ({ UPKEEP_CA_FILE: join(dir, "ca.pem") });
const ok = (hostPort: string, days: number) => `upkeep tls: ok ${hostPort}, ${days} days left, issuer CN=Upkeep Test CA`;

/** Every kind of endpoint in one run, and the exact line each must print. */
function mixed(): { endpoints: string; expected: string[] } {
  const cases: [string, string][] = [
    [`21|localhost:${port.valid}`, ok(`localhost:${port.valid}`, 90)],
    [`21|127.0.0.1:${port.valid}`, ok(`127.0.0.1:${port.valid}`, 90)],
    [`21|localhost:${port.expiring}`, `upkeep tls: FAIL localhost:${port.expiring}: expires in 5 days (minimum 21)`],
    [`21|localhost:${port.expired}`, `upkeep tls: FAIL localhost:${port.expired}: certificate has expired`],
    [`21|localhost:${port.wrongHost}`, `upkeep tls: FAIL localhost:${port.wrongHost}: hostname mismatch`],
    [`21|localhost:${port.selfSigned}`, `upkeep tls: FAIL localhost:${port.selfSigned}: untrusted certificate chain`],
    [`21|localhost:${port.plain}`, `upkeep tls: FAIL localhost:${port.plain}: TLS handshake failed`],
    [`21|localhost:${port.refused}`, `upkeep tls: FAIL localhost:${port.refused}: connection refused`],
  ];
  return {
    endpoints: cases.map(([e]) => e).join(" \n\t "),
    expected: [...cases.map(([, line]) => line), "upkeep tls: 6 of 8 endpoints failed"],
  };
}

test("one run over every kind of endpoint: one exact line each, a summary, exit 1", async () => {
  const { endpoints, expected } = mixed();
  const r = await runScript({ ...caEnv(), UPKEEP_TLS_ENDPOINTS: endpoints, UPKEEP_TIMEOUT_SECONDS: "5", UPKEEP_TASK: "tls-check", UPKEEP_KIND: "tls-check", UPKEEP_ENVIRONMENT: "prod", UPKEEP_PUSHGATEWAY_URL: gateway.url });
  assert.equal(r.stderr, "");
  assert.deepEqual(lines(r.stdout), expected);
  assert.equal(r.code, 1);
  const { task, kind, environment, outcome, reason, figures } = r.outcome;
  assert.deepEqual({ task, kind, environment, outcome, reason }, { task: "tls-check", kind: "tls-check", environment: "prod", outcome: "failed", reason: "6 of 8 endpoints failed" });
  const e = (hp: string, minDays: number, ok: boolean, daysLeft: number | null, issuer: string | null, problem: string | null) =>
    ({ endpoint: hp, minDays, ok, daysLeft, issuer, problem });
  assert.deepEqual(figures, {
    endpoints: [
      e(`localhost:${port.valid}`, 21, true, 90, "CN=Upkeep Test CA", null),
      e(`127.0.0.1:${port.valid}`, 21, true, 90, "CN=Upkeep Test CA", null),
      e(`localhost:${port.expiring}`, 21, false, 5, "CN=Upkeep Test CA", "expires in 5 days (minimum 21)"),
      e(`localhost:${port.expired}`, 21, false, null, null, "certificate has expired"),
      e(`localhost:${port.wrongHost}`, 21, false, null, null, "hostname mismatch"),
      e(`localhost:${port.selfSigned}`, 21, false, null, null, "untrusted certificate chain"),
      e(`localhost:${port.plain}`, 21, false, null, null, "TLS handshake failed"),
      e(`localhost:${port.refused}`, 21, false, null, null, "connection refused"),
    ],
  });
  // The same outcome, as the record's gauges: days left for each endpoint that showed a certificate.
  await assertPushedAsRecorded(gateway.url, r.outcome);
});

test("SIGTERM while a handshake hangs: one line, the connection closed, exit 143", async () => {
  const open = sockets.size;
  const child = startScript("tls-check.sh", { ...caEnv(), UPKEEP_TLS_ENDPOINTS: `21|localhost:${port.silent}`, UPKEEP_TIMEOUT_SECONDS: "60" });
  while (sockets.size === open) await new Promise((r) => setTimeout(r, 20));
  const clients = () => spawnSync("pgrep", ["-f", `s_client -connect localhost:${port.silent}`], { encoding: "utf8" }).stdout.trim();
  assert.notEqual(clients(), "", "openssl is connected");
  process.kill(child.pid, "SIGTERM");
  const { code, stderr, log, outcome } = await child.done;
  assert.equal(code, 143);
  assert.match(stderr, /^upkeep tls: stopped by SIGTERM after \d+ s\n$/);
  assert.equal(log, "");
  assert.deepEqual([outcome.outcome, outcome.reason, outcome.figures], ["failed", stderr.slice("upkeep tls: ".length).trimEnd(), { endpoints: [] }]);
  // openssl went with the script.
  assert.equal(clients(), "");
});

test("the same run under busybox's sh and tools, as in the alpine/openssl image", async () => {
  // A PATH of busybox applets and openssl only: nothing from coreutils, GNU sed or gawk.
  const bin = join(dir, "busybox-bin");
  await mkdir(bin);
  const { stdout: busybox } = await run("sh", ["-c", "command -v busybox"]).catch(() => {
    throw new Error("busybox is required for this test (apt-get install busybox)");
  });
  const { stdout: opensslPath } = await run("sh", ["-c", "command -v openssl"]);
  for (const tool of ["sh", "date", "timeout", "sed", "awk", "grep", "head", "mktemp", "rm", "wget", "tr", "sleep"]) await symlink(busybox.trim(), join(bin, tool));
  await symlink(opensslPath.trim(), join(bin, "openssl"));
  const { endpoints, expected } = mixed();
  const env = { UPKEEP_TASK: "tls-check", UPKEEP_ENVIRONMENT: "busybox", UPKEEP_PUSHGATEWAY_URL: gateway.url };
  const r = await runScript({ ...caEnv(), ...env, UPKEEP_TLS_ENDPOINTS: endpoints, UPKEEP_TIMEOUT_SECONDS: "5" }, [join(bin, "sh")], bin);
  assert.equal(r.stderr, "");
  assert.deepEqual(lines(r.stdout), expected);
  assert.equal(r.code, 1);
  // Pushed with busybox wget: the image has no curl.
  await assertPushedAsRecorded(gateway.url, r.outcome);
});

test("all endpoints pass: exit 0", async () => {
  const r = await runScript({ ...caEnv(), UPKEEP_TLS_ENDPOINTS: `21|localhost:${port.valid} 90|127.0.0.1:${port.valid}` });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, "");
  assert.deepEqual(lines(r.stdout), [ok(`localhost:${port.valid}`, 90), ok(`127.0.0.1:${port.valid}`, 90), "upkeep tls: all 2 endpoints passed"]);
  assert.deepEqual([r.outcome.outcome, r.outcome.reason, r.outcome.kind], ["success", null, "tls-check"]);
});

test("minDays is the line: 90 days left passes 90 and fails 91", async () => {
  const r = await runScript({ ...caEnv(), UPKEEP_TLS_ENDPOINTS: `91|localhost:${port.valid}` });
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stdout), [`upkeep tls: FAIL localhost:${port.valid}: expires in 90 days (minimum 91)`, "upkeep tls: 1 of 1 endpoint failed"]);
});

test("without UPKEEP_CA_FILE the system trust store decides: the test CA is untrusted", async () => {
  const r = await runScript({ UPKEEP_TLS_ENDPOINTS: `21|localhost:${port.valid}` });
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stdout), [`upkeep tls: FAIL localhost:${port.valid}: untrusted certificate chain`, "upkeep tls: 1 of 1 endpoint failed"]);
});

test("a refused port fails fast, with a clear line", async () => {
  const r = await runScript({ ...caEnv(), UPKEEP_TLS_ENDPOINTS: `21|localhost:${port.refused}` });
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stdout), [`upkeep tls: FAIL localhost:${port.refused}: connection refused`, "upkeep tls: 1 of 1 endpoint failed"]);
  assert.ok(r.ms < 3000, `took ${r.ms} ms`);
});

test("a server that never answers the handshake times out after UPKEEP_TIMEOUT_SECONDS", async () => {
  const r = await runScript({ ...caEnv(), UPKEEP_TLS_ENDPOINTS: `21|localhost:${port.silent}`, UPKEEP_TIMEOUT_SECONDS: "1" });
  assert.equal(r.code, 1);
  assert.deepEqual(lines(r.stdout), [`upkeep tls: FAIL localhost:${port.silent}: timed out after 1 s`, "upkeep tls: 1 of 1 endpoint failed"]);
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
});

test("bad input is rejected with exit 2 and one line, before any connection", async () => {
  const good = `21|localhost:${port.plain}`;
  const cases: [Record<string, string>, string][] = [
    [{ UPKEEP_TLS_ENDPOINTS: `${good} localhost:443` }, "malformed UPKEEP_TLS_ENDPOINTS entry 'localhost:443': expected minDays|host:port"],
    [{ UPKEEP_TLS_ENDPOINTS: `${good} 21|localhost` }, "malformed UPKEEP_TLS_ENDPOINTS entry '21|localhost': expected minDays|host:port"],
    [{ UPKEEP_TLS_ENDPOINTS: `${good} 0|localhost:443` }, "malformed UPKEEP_TLS_ENDPOINTS entry '0|localhost:443': minDays must be a positive whole number"],
    [{ UPKEEP_TLS_ENDPOINTS: `${good} x|localhost:443` }, "malformed UPKEEP_TLS_ENDPOINTS entry 'x|localhost:443': minDays must be a positive whole number"],
    [{ UPKEEP_TLS_ENDPOINTS: `${good} 21|-oops:443` }, "malformed UPKEEP_TLS_ENDPOINTS entry '21|-oops:443': the host must be a DNS name or an IPv4 address"],
    [{ UPKEEP_TLS_ENDPOINTS: `${good} 21|a;b:443` }, "malformed UPKEEP_TLS_ENDPOINTS entry '21|a;b:443': the host must be a DNS name or an IPv4 address"],
    [{ UPKEEP_TLS_ENDPOINTS: `${good} 21|localhost:65536` }, "malformed UPKEEP_TLS_ENDPOINTS entry '21|localhost:65536': the port must be a number from 1 to 65535"],
    [{ UPKEEP_TLS_ENDPOINTS: " " }, "UPKEEP_TLS_ENDPOINTS is empty: nothing to check"],
    [{ UPKEEP_TLS_ENDPOINTS: good, UPKEEP_TIMEOUT_SECONDS: "0" }, "UPKEEP_TIMEOUT_SECONDS must be a positive whole number, got '0'"],
    [{ UPKEEP_TLS_ENDPOINTS: good, UPKEEP_CA_FILE: "/nonexistent/ca.pem" }, "UPKEEP_CA_FILE '/nonexistent/ca.pem' is not a readable file"],
  ];
  for (const [env, message] of cases) {
    plainConnections = 0;
    const r = await runScript(env);
    assert.equal(r.code, 2, message);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `upkeep tls: ${message}\n`);
    assert.deepEqual([r.outcome.outcome, r.outcome.reason], ["failed", message]);
    assert.equal(plainConnections, 0);
  }
});

test("tls-check.sh passes shellcheck", async () => {
  const { stdout } = await run("shellcheck", ["-s", "sh", "components/scripts/tls-check.sh", "components/scripts/common.sh"]);
  assert.equal(stdout, "");
});

// ---------------------------------------------------------------- components/jobs/tlsCheck.ts

const endpoint = (url: string, tlsMinDays = 21) => ({ url, expectStatus: 200, maxLatencyMs: 2000, tlsMinDays });

test("tlsEndpointsEnv: minDays|host:port from each https URL, port 443 by default", () => {
  assert.equal(
    tlsEndpointsEnv([
      endpoint("https://api.example.com/healthz"),
      endpoint("https://Shop.Example.com:8443/ready?full=1", 30),
      endpoint("https://10.0.0.1:443/", 7),
      endpoint("https://www.example.com"),
    ]),
    "21|api.example.com:443 30|shop.example.com:8443 7|10.0.0.1:443 21|www.example.com:443",
  );
  assert.equal(tlsEndpointsEnv([]), "");
  assert.throws(() => tlsEndpointsEnv([endpoint("http://api.example.com/")]), /needs an https:\/\/ URL/);
  assert.throws(() => tlsEndpointsEnv([endpoint("https://[::1]:8443/")]), /DNS name or IPv4 address/);
});

const task = { id: "tls-check", schedule: { cadence: "daily" as const, timeZone: "Europe/Berlin", durationMinutes: 10, cron: "15 6 * * *" } };

test("tlsCheckContainer: the openssl image, the script, input only through env", () => {
  assert.deepEqual(tlsCheckContainer(task, [endpoint("https://api.example.com/healthz"), endpoint("https://shop.example.com:8443/", 30)], "prod"), {
    image: "docker.io/alpine/openssl:3.3.2",
    command: ["/bin/sh", "/upkeep/scripts/tls-check.sh"],
    args: [],
    env: [
      { name: "HOME", value: "/tmp" },
      { name: "UPKEEP_TASK", value: "tls-check" },
      { name: "UPKEEP_KIND", value: "tls-check" },
      { name: "UPKEEP_ENVIRONMENT", value: "prod" },
      { name: "UPKEEP_CADENCE", value: "daily" },
      { name: "UPKEEP_TIMEZONE", value: "Europe/Berlin" },
      { name: "UPKEEP_SLOT_START", value: "06:15" },
      { name: "UPKEEP_DEADLINE_SECONDS", value: "600" },
      { name: "UPKEEP_TLS_ENDPOINTS", value: "21|api.example.com:443 30|shop.example.com:8443" },
      { name: "UPKEEP_TIMEOUT_SECONDS", value: "10" },
    ],
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    runAsUser: 10001,
  });
  // Checks run one after another and must fit the slot: 61 × 10 s > 600 s.
  const many = Array.from({ length: 61 }, (_, i) => endpoint(`https://e${i}.example.com/`));
  assert.throws(() => tlsCheckContainer(task, many, "prod"), /61 endpoints at up to 10 s each need 610 s, more than the 600-second slot/);
  assert.doesNotThrow(() => tlsCheckContainer(task, many.slice(1), "prod"));
});
