import random, os, sys, shutil
from case import new_case
seed = int(sys.argv[2]); random.seed(seed); n = int(sys.argv[1]); out = sys.argv[3]
kinds = ["Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "Foo", "Bar", "apple", "Zeta", "", "PriorityClass", "Endpoints", "EndpointSlice"]
seps = ["---\n", "---\n", "--- \n", "---  # c\n", "\n---\n", "---\n---\n", "---\n\n", "----\n", " ---\n", "---\t\n", "---x\n", "...\n---\n"]
def doc():
    k = random.choice(kinds)
    r = random.random()
    if r < 0.05: return "# only a comment\n"
    if r < 0.08: return "\n"
    if r < 0.1: return "{{/* nothing */}}"
    s = ""
    if random.random() < 0.1: s += "# leading comment\n"
    if random.random() < 0.9: s += "apiVersion: v1\n"
    if k: s += f"kind: {k}\n"
    s += "metadata:\n  name: n%d\n" % random.randint(0, 99)
    if random.random() < 0.1: s += "  annotations:\n    x: y\n"
    if random.random() < 0.1: s += "data: {a: '1'}\n"
    if random.random() < 0.05: s += "kind: Service\n"  # duplicate key
    return s
shutil.rmtree(out, ignore_errors=True)
names = ["a.yaml", "b.yaml", "z.yaml", "sub/c.yaml", "sub/deep/d.yaml", "A.yaml", "_helpers.tpl", "x.yml", "y.txt", "NOTES.txt", "1.yaml", "a-b.yaml", "a_b.yaml"]
for i in range(n):
    d = new_case(out, i)
    for f in random.sample(names, random.randint(1, 5)):
        p = d + "/templates/" + f; os.makedirs(os.path.dirname(p), exist_ok=True)
        text = ""
        for j in range(random.randint(1, 4)):
            if j or random.random() < 0.3: text += random.choice(seps)
            text += doc()
        if f.endswith(".tpl"): text = '{{ define "h" }}kind: Pod{{ end }}' + text
        open(p, "w").write(text)
