{{- define "wharf.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wharf.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wharf.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "wharf.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "wharf.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wharf.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: registry-cache
{{- end }}

{{- define "wharf.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* S3 mode: config.storage.s3 is set. */}}
{{- define "wharf.s3" -}}
{{- if and .Values.config.storage .Values.config.storage.s3 }}true{{ end }}
{{- end }}

{{- define "wharf.replicas" -}}
{{- if include "wharf.s3" . }}{{ .Values.replicaCount }}{{ else }}1{{ end }}
{{- end }}

{{/* Wharf's config file: the user's config with the listeners and the storage path the chart owns. */}}
{{- define "wharf.config" -}}
{{- $config := deepCopy .Values.config }}
{{- $storage := deepCopy (.Values.config.storage | default dict) }}
{{- $_ := set $storage "path" "/var/lib/wharf" }}
{{- $_ := set $config "storage" $storage }}
{{- $_ := set $config "listen" (printf "0.0.0.0:%d" 5000) }}
{{- $_ := set $config "adminListen" (printf "0.0.0.0:%d" 5001) }}
{{- if .Values.prewarmRuleConfigMaps }}
{{- $_ := set $config "prewarmDir" "/etc/wharf/prewarm.d" }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{- define "wharf.serviceHost" -}}
{{- printf "%s.%s.svc.cluster.local" (include "wharf.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "wharf.nodeMirrorEndpoint" -}}
{{- .Values.nodeMirror.endpoint | default (printf "http://%s:%v" (include "wharf.serviceHost" .) .Values.service.port) }}
{{- end }}
