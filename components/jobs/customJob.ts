/**
 * A custom job's pod beyond its container: its labels, the size of its /tmp,
 * its own volumes, where it may run, how its image is pulled, and the
 * annotations of its ServiceAccount (IRSA). Each comes from `upkeep:jobs[]`
 * as validated there (components/config/pod.ts); nothing is added that the
 * job did not ask for.
 */
import type { JobConfig } from "../config";
import type { PodExtras } from "../kubernetes";

type JobVolume = JobConfig["volumes"][number];

function volumeSource(v: JobVolume) {
  if (v.persistentVolumeClaim) return { persistentVolumeClaim: { claimName: v.persistentVolumeClaim.claimName, readOnly: v.persistentVolumeClaim.readOnly } };
  return { emptyDir: { ...v.emptyDir } };
}

export function customJobPod(job: JobConfig): PodExtras {
  return {
    labels: { ...job.labels },
    ...(job.tmpSizeLimit !== undefined ? { tmpSizeLimit: job.tmpSizeLimit } : {}),
    volumes: job.volumes.map((v) => ({ name: v.name, ...volumeSource(v) })),
    volumeMounts: job.volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) })),
    imagePullSecrets: [...job.imagePullSecrets],
    nodeSelector: { ...job.nodeSelector },
    tolerations: job.tolerations.map((t) => ({ ...t })),
    ...(job.affinity !== undefined ? { affinity: job.affinity } : {}),
    ...(Object.keys(job.serviceAccountAnnotations).length > 0 ? { serviceAccountAnnotations: { ...job.serviceAccountAnnotations } } : {}),
  };
}
