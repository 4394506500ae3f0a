/**
 * The daily TLS check: what its container runs. tls-check.sh connects to every
 * endpoint with SNI, verifies the chain and the hostname, and fails the Job
 * when a leaf expires within the endpoint's `tlsMinDays`, so the usual
 * failed-run alert fires. It checks what clients see, whoever issued it.
 */
import { defaultResources, plainEnv, standardTaskEnv, type ContainerPlan, scriptPath } from "../kubernetes";
import { POD_DEFAULTS } from "../config";
import type { EndpointConfig, VerificationTaskLike } from "./verification";

/** busybox sh and OpenSSL 3; pinned, like every image upkeep runs. */
export const TLS_CHECK_IMAGE = "docker.io/alpine/openssl:3.3.2";
export const TLS_CHECK_SCRIPT = "tls-check.sh";
/** Per-connection limit the script applies (`timeout`). */
export const TLS_CHECK_TIMEOUT_SECONDS = 10;

/**
 * `host:port` of an endpoint, as tls-check.sh pushes it in the `endpoint`
 * label: the certificate alert matches on exactly this string.
 */
export function tlsEndpointName(url: URL): string {
  // WHATWG URL drops the port when it is the scheme's default.
  return `${url.hostname}:${url.port || "443"}`;
}

/** `minDays|host:port`: the host of the https URL, its port or 443. */
export function tlsEndpointsEnv(endpoints: readonly Pick<EndpointConfig, "url" | "tlsMinDays">[]): string {
  return endpoints
    .map((e) => {
      const url = new URL(e.url);
      // Config validation already ensures https; a plain-http endpoint has no certificate to check.
      if (url.protocol !== "https:") throw new Error(`TLS check needs an https:// URL: ${JSON.stringify(e.url)}`);
      // IPv6 literals would need brackets the script does not parse.
      if (!/^[A-Za-z0-9.-]+$/.test(url.hostname)) throw new Error(`TLS check needs a DNS name or IPv4 address: ${JSON.stringify(e.url)}`);
      return `${e.tlsMinDays}|${tlsEndpointName(url)}`;
    })
    .join(" ");
}

export function tlsCheckContainer(task: VerificationTaskLike, endpoints: readonly EndpointConfig[], environment: string): ContainerPlan {
  const slotSeconds = task.schedule.durationMinutes * 60;
  // Endpoints are checked one after another; all of them must fit the Job's deadline.
  const worstCase = endpoints.length * TLS_CHECK_TIMEOUT_SECONDS;
  if (worstCase > slotSeconds) {
    throw new Error(`${task.id}: ${endpoints.length} endpoints at up to ${TLS_CHECK_TIMEOUT_SECONDS} s each need ${worstCase} s, more than the ${slotSeconds}-second slot`);
  }
  return {
    image: TLS_CHECK_IMAGE,
    command: ["/bin/sh", scriptPath(TLS_CHECK_SCRIPT)],
    args: [],
    env: [
      ...standardTaskEnv({ id: task.id, kind: "tls-check", environment }, task.schedule),
      plainEnv("UPKEEP_TLS_ENDPOINTS", tlsEndpointsEnv(endpoints)),
      plainEnv("UPKEEP_TIMEOUT_SECONDS", String(TLS_CHECK_TIMEOUT_SECONDS)),
    ],
    resources: defaultResources(),
    runAsUser: POD_DEFAULTS.runAsUser,
  };
}
