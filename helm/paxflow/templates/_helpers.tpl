{{/*
Chart name, truncated to 63 characters (a DNS label).
*/}}
{{- define "paxflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name of the release's resources. Kept to 52 characters: the StatefulSet's pods are named
<fullname>-<ordinal> and their claims state-<fullname>-<ordinal>, and a controller-revision-hash
label of the pods carries the name plus 11 characters, which must stay within 63.
*/}}
{{- define "paxflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "paxflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: stable for the life of the release (a StatefulSet's selector is immutable).
*/}}
{{- define "paxflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "paxflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "paxflow.labels" -}}
helm.sh/chart: {{ include "paxflow.chart" . }}
{{ include "paxflow.selectorLabels" . }}
app.kubernetes.io/component: worker
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "paxflow.image" -}}
{{- $repo := required "image.repository is required" .Values.image.repository }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "paxflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "paxflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the headless Service that gives the StatefulSet's pods their identity. */}}
{{- define "paxflow.headlessName" -}}
{{- printf "%s-headless" (include "paxflow.fullname" .) }}
{{- end }}

{{- define "paxflow.metricsServiceName" -}}
{{- printf "%s-metrics" (include "paxflow.fullname" .) }}
{{- end }}

{{/* Secret holding the pseudonymisation key: the operator's, or the chart's <fullname>-key. */}}
{{- define "paxflow.keySecretName" -}}
{{- default (printf "%s-key" (include "paxflow.fullname" .)) .Values.secret.existingSecret }}
{{- end }}

{{- define "paxflow.secretFile" -}}
{{- printf "%s/%s" (trimSuffix "/" .Values.secret.mountPath) .Values.secret.key }}
{{- end }}

{{- define "paxflow.saslSecretName" -}}
{{- default (printf "%s-sasl" (include "paxflow.fullname" .)) .Values.sasl.existingSecret }}
{{- end }}

{{/* librdkafka security.protocol from tls.enabled and sasl.enabled. */}}
{{- define "paxflow.securityProtocol" -}}
{{- if and .Values.tls.enabled .Values.sasl.enabled }}SASL_SSL
{{- else if .Values.tls.enabled }}SSL
{{- else if .Values.sasl.enabled }}SASL_PLAINTEXT
{{- else }}PLAINTEXT
{{- end }}
{{- end }}

{{/*
A config value as the worker's parser reads it: numbers from YAML arrive as float64 and would
print as 1.048576e+06, so integral numbers are printed as integers.
*/}}
{{- define "paxflow.confValue" -}}
{{- if kindIs "float64" . }}
{{- if eq (float64 (int64 .)) . }}{{ int64 . }}{{ else }}{{ . }}{{ end }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/*
Checks the rules a JSON schema cannot express (comparisons between values, values needed only
when a feature is on). Included by every template that depends on them, so `helm template`,
`helm lint` and `helm install` all fail with the same message.
*/}}
{{- define "paxflow.validate" -}}
{{- $p := int64 .Values.partitions }}
{{- if gt (int64 .Values.replicas) $p }}
{{- fail (printf "replicas (%d) must not exceed partitions (%d): extra workers would sit idle in the consumer group" (int64 .Values.replicas) $p) }}
{{- end }}
{{- if .Values.keda.enabled }}
{{- if gt (int64 .Values.keda.minReplicas) $p }}
{{- fail (printf "keda.minReplicas (%d) must not exceed partitions (%d)" (int64 .Values.keda.minReplicas) $p) }}
{{- end }}
{{- if gt (int64 .Values.keda.minReplicas) (int64 .Values.keda.maxReplicas) }}
{{- fail (printf "keda.minReplicas (%d) must not exceed keda.maxReplicas (%d)" (int64 .Values.keda.minReplicas) (int64 .Values.keda.maxReplicas)) }}
{{- end }}
{{- end }}
{{- if and .Values.tls.enabled (not .Values.tls.existingSecret) }}
{{- fail "tls.enabled needs tls.existingSecret: the name of a Secret with the CA (and client certificate and key) PEM files" }}
{{- end }}
{{- if and .Values.tls.enabled (ne (empty .Values.tls.certKey) (empty .Values.tls.keyKey)) }}
{{- fail "tls.certKey and tls.keyKey go together: set both for mutual TLS, or neither" }}
{{- end }}
{{- if and .Values.sasl.enabled (not .Values.sasl.existingSecret) (or (not .Values.sasl.username) (not .Values.sasl.password)) }}
{{- fail "sasl.enabled needs sasl.existingSecret, or sasl.username and sasl.password to create one" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.service.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.service.enabled: the ServiceMonitor selects that Service" }}
{{- end }}
{{- range $k, $v := .Values.kafka }}
{{- if regexMatch "(?i)(password|secret|jaas|\\.pem$|^sasl\\.username$|^sasl\\.oauthbearer\\.config$)" $k }}
{{- fail (printf "kafka.%s looks like a credential and would land in the ConfigMap: use tls.* or sasl.* (Secrets) instead" $k) }}
{{- end }}
{{- end }}
{{- end }}
