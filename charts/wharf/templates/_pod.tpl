{{/* The pod template of Wharf, shared by the StatefulSet (disk) and the Deployment (S3). */}}
{{- define "wharf.podTemplate" -}}
metadata:
  labels:
    {{- include "wharf.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "wharf.config" . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  automountServiceAccountToken: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: wharf
      image: {{ include "wharf.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args: ["serve", "--config", "/etc/wharf/wharf.yaml"]
      ports:
        - name: http
          containerPort: 5000
          protocol: TCP
        - name: admin
          containerPort: 5001
          protocol: TCP
      env:
        - name: WHARF_JAVA_OPTS
          value: {{ .Values.javaOpts | quote }}
        {{- with .Values.env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.envFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      startupProbe:
        httpGet:
          path: /healthz
          port: admin
        periodSeconds: {{ .Values.probes.startup.periodSeconds }}
        failureThreshold: {{ .Values.probes.startup.failureThreshold }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: admin
        periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
      readinessProbe:
        httpGet:
          path: /healthz
          port: admin
        periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
        timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
        failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        # subPath: the Secrets below may be mounted under /etc/wharf too. A config change rolls the
        # pods (checksum/config), so the file need not follow the ConfigMap.
        - name: config
          mountPath: /etc/wharf/wharf.yaml
          subPath: wharf.yaml
          readOnly: true
        - name: data
          mountPath: /var/lib/wharf
        - name: tmp
          mountPath: /tmp
        {{- if .Values.prewarmRuleConfigMaps }}
        # Not a subPath: ConfigMaps changed in place reach the files, and Wharf picks rules up within a second.
        - name: prewarm-rules
          mountPath: /etc/wharf/prewarm.d
          readOnly: true
        {{- end }}
        {{- range .Values.secrets }}
        - name: secret-{{ .name }}
          mountPath: {{ .mountPath }}
          readOnly: true
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "wharf.fullname" . }}
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
    {{- with .Values.prewarmRuleConfigMaps }}
    - name: prewarm-rules
      projected:
        sources:
          {{- range . }}
          - configMap:
              name: {{ . }}
              optional: true
          {{- end }}
    {{- end }}
    {{- if include "wharf.s3" . }}
    - name: data
      emptyDir:
        sizeLimit: {{ .Values.localCache.sizeLimit }}
    {{- end }}
    {{- range .Values.secrets }}
    - name: secret-{{ .name }}
      secret:
        secretName: {{ .name }}
        defaultMode: {{ .defaultMode | default 0440 }}
        {{- with .items }}
        items:
          {{- toYaml . | nindent 10 }}
        {{- end }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
