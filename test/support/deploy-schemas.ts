import { z } from 'zod';

// The fields of deploy/'s manifests that dockwarden depends on, as zod schemas. Not the
// full Kubernetes or Grafana schemas (neither is available offline): what a deployment
// of the agent needs to be right, so that a typo or a dropped field fails a test.

const labels = z.record(z.string(), z.string());

// ---- Kubernetes -------------------------------------------------------------------

const httpProbe = z.object({
  httpGet: z.object({ path: z.string(), port: z.union([z.number(), z.string()]) }),
  periodSeconds: z.number().int().positive(),
  timeoutSeconds: z.number().int().positive(),
  failureThreshold: z.number().int().positive(),
});

const quantities = z.object({ cpu: z.string(), memory: z.string() });

export const K8sContainer = z.object({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()),
  env: z.array(
    z.object({
      name: z.string(),
      value: z.string().optional(),
      valueFrom: z.object({ secretKeyRef: z.object({ name: z.string(), key: z.string() }) }).optional(),
    }),
  ),
  ports: z.array(z.object({ name: z.string().optional(), containerPort: z.number(), protocol: z.literal('TCP') })),
  securityContext: z.object({
    allowPrivilegeEscalation: z.literal(false),
    privileged: z.literal(false).optional(),
    readOnlyRootFilesystem: z.literal(true),
    capabilities: z.object({ drop: z.array(z.string()), add: z.array(z.string()).optional() }),
  }),
  livenessProbe: httpProbe,
  readinessProbe: httpProbe,
  resources: z.object({ requests: quantities, limits: quantities }),
  volumeMounts: z.array(
    z.object({
      name: z.string(),
      mountPath: z.string(),
      readOnly: z.boolean().optional(),
      mountPropagation: z.enum(['None', 'HostToContainer', 'Bidirectional']).optional(),
    }),
  ),
});

export const K8sVolume = z.object({
  name: z.string(),
  hostPath: z.object({ path: z.string(), type: z.enum(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice']) }).optional(),
  emptyDir: z.object({ medium: z.string().optional(), sizeLimit: z.string().optional() }).optional(),
});

export const DaemonSet = z.object({
  apiVersion: z.literal('apps/v1'),
  kind: z.literal('DaemonSet'),
  metadata: z.object({ name: z.string(), namespace: z.string(), labels }),
  spec: z.object({
    selector: z.object({ matchLabels: labels }),
    updateStrategy: z.object({ type: z.literal('RollingUpdate'), rollingUpdate: z.object({ maxUnavailable: z.union([z.number(), z.string()]) }) }),
    template: z.object({
      metadata: z.object({ labels, annotations: labels }),
      spec: z.object({
        serviceAccountName: z.string(),
        automountServiceAccountToken: z.literal(false),
        hostNetwork: z.boolean().optional(),
        hostPID: z.boolean().optional(),
        hostIPC: z.boolean().optional(),
        tolerations: z.array(z.object({ operator: z.enum(['Exists', 'Equal']), key: z.string().optional(), effect: z.string().optional() })),
        terminationGracePeriodSeconds: z.number(),
        securityContext: z.object({ runAsUser: z.number().optional(), seccompProfile: z.object({ type: z.literal('RuntimeDefault') }) }),
        containers: z.array(K8sContainer).length(1),
        volumes: z.array(K8sVolume),
      }),
    }),
  }),
});

export const K8sService = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('Service'),
  metadata: z.object({ name: z.string(), namespace: z.string() }),
  spec: z.object({
    clusterIP: z.string().optional(),
    selector: labels,
    ports: z.array(z.object({ name: z.string(), port: z.number(), targetPort: z.union([z.number(), z.string()]) })),
  }),
});

export const K8sObject = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
});

// ---- Prometheus ---------------------------------------------------------------------

export const AlertRules = z.object({
  groups: z
    .array(
      z.object({
        name: z.string(),
        rules: z
          .array(
            z.strictObject({
              alert: z.string().regex(/^[A-Z][A-Za-z0-9]+$/),
              expr: z.string().min(1),
              for: z
                .string()
                .regex(/^\d+[smh]$/)
                .optional(),
              labels: z.object({ severity: z.union([z.enum(['critical', 'warning', 'info']), z.literal('{{ $labels.severity }}')]) }),
              annotations: z.object({ summary: z.string().min(1), description: z.string().min(1) }),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

export const ScrapeConfigs = z.object({
  scrape_configs: z.array(
    z.object({
      job_name: z.string(),
      authorization: z.object({ type: z.literal('Bearer'), credentials_file: z.string() }),
      relabel_configs: z
        .array(
          z.object({
            source_labels: z.array(z.string()),
            regex: z.string().optional(),
            action: z.enum(['keep', 'drop', 'replace']).optional(),
            target_label: z.string().optional(),
            replacement: z.string().optional(),
          }),
        )
        .optional(),
      kubernetes_sd_configs: z
        .array(
          z.object({
            role: z.literal('pod'),
            namespaces: z.object({ names: z.array(z.string()) }),
            selectors: z.array(z.object({ role: z.literal('pod'), label: z.string() })),
          }),
        )
        .optional(),
    }),
  ),
});

// ---- Grafana ------------------------------------------------------------------------

const datasourceRef = z.object({ type: z.literal('prometheus'), uid: z.literal('${DS_PROMETHEUS}') });

export const GrafanaDashboard = z.object({
  __inputs: z.array(z.object({ name: z.string(), type: z.literal('datasource'), pluginId: z.string() })),
  schemaVersion: z.number().int().min(36).max(41),
  uid: z.string().min(1),
  title: z.string().min(1),
  templating: z.object({
    list: z.array(z.object({ name: z.string(), type: z.string(), datasource: datasourceRef.optional(), definition: z.string().optional(), includeAll: z.boolean().optional() })),
  }),
  panels: z
    .array(
      z.object({
        id: z.number().int(),
        type: z.enum(['stat', 'timeseries', 'table', 'gauge', 'bargauge', 'text', 'row']),
        title: z.string().min(1),
        datasource: datasourceRef,
        gridPos: z.object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1), h: z.number().int().min(1) }),
        targets: z.array(z.object({ datasource: datasourceRef, expr: z.string().min(1), refId: z.string() })).min(1),
      }),
    )
    .min(1),
});
export type GrafanaPanel = z.infer<typeof GrafanaDashboard>['panels'][number];
