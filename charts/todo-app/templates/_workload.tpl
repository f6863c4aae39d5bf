{{/*
One component's Deployment. Both components share it; they differ only in their values and in
the writable directories mounted over the read-only root file system.
Called with (dict "root" $ "component" "frontend" "writableDirs" (list (dict "name" "tmp" "mountPath" "/tmp"))).
*/}}
{{- define "todo-app.deployment" -}}
{{- $root := .root }}
{{- $component := dict "root" .root "component" .component }}
{{- $values := index .root.Values .component }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "todo-app.componentName" $component }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "todo-app.componentLabels" $component | nindent 4 }}
spec:
  {{- if not $values.autoscaling.enabled }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "todo-app.selectorLabels" $component | nindent 6 }}
  template:
    metadata:
      annotations:
        {{- /* Changed settings or credentials roll the pods. */}}
        checksum/config: {{ include (printf "%s/%s/configmap.yaml" $root.Template.BasePath .component) $root | sha256sum }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      labels:
        {{- include "todo-app.componentLabels" $component | nindent 8 }}
        {{- with $values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      serviceAccountName: {{ include "todo-app.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $root.Values.serviceAccount.automountToken }}
      {{- with $root.Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "todo-app.image" (dict "root" $root "image" $values.image) | quote }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $values.containerPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "todo-app.componentName" $component }}
            - secretRef:
                name: {{ include "todo-app.secretName" $root }}
          {{- with $values.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $values.readinessProbe }}
          readinessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $root.Values.containerSecurityContext }}
          securityContext:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          volumeMounts:
            {{- range .writableDirs }}
            - name: {{ .name }}
              mountPath: {{ .mountPath }}
            {{- end }}
      volumes:
        {{- range .writableDirs }}
        - name: {{ .name }}
          emptyDir:
            sizeLimit: {{ .sizeLimit | default "64Mi" }}
        {{- end }}
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/*
One component's Service. Called with (dict "root" $ "component" "frontend").
*/}}
{{- define "todo-app.service" -}}
{{- $service := (index .root.Values .component).service }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "todo-app.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "todo-app.componentLabels" . | nindent 4 }}
spec:
  type: {{ $service.type }}
  ports:
    - name: http
      port: {{ $service.port }}
      targetPort: http
      protocol: TCP
      {{- if and (eq $service.type "NodePort") $service.nodePort }}
      nodePort: {{ $service.nodePort }}
      {{- end }}
  selector:
    {{- include "todo-app.selectorLabels" . | nindent 4 }}
{{- end }}

{{/*
One component's HorizontalPodAutoscaler, when enabled. Called with (dict "root" $ "component" "frontend").
*/}}
{{- define "todo-app.hpa" -}}
{{- $autoscaling := (index .root.Values .component).autoscaling }}
{{- if $autoscaling.enabled }}
apiVersion: {{ include "todo-app.hpa.apiVersion" .root }}
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "todo-app.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "todo-app.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "todo-app.componentName" . }}
  minReplicas: {{ $autoscaling.minReplicas }}
  maxReplicas: {{ required (printf "%s.autoscaling.maxReplicas is required" .component) $autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}

{{/*
One component's PodDisruptionBudget, when enabled. Called with (dict "root" $ "component" "frontend").
*/}}
{{- define "todo-app.pdb" -}}
{{- $pdb := (index .root.Values .component).pdb }}
{{- if $pdb.enabled }}
apiVersion: {{ include "todo-app.pdb.apiVersion" .root }}
kind: PodDisruptionBudget
metadata:
  name: {{ include "todo-app.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "todo-app.componentLabels" . | nindent 4 }}
spec:
  minAvailable: {{ $pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "todo-app.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}
