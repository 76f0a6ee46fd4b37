#!/usr/bin/env python3
"""Renders deploy/k8s with `kubectl kustomize` and checks the result against the services' sources.

What a service reads, which variables it requires and which listen addresses default to loopback
are taken from services/<name>/config.cpp (and libs/storage/src/config.cpp, libs/amqp's LoadUrl),
so the check follows the code instead of a list that could rot. For every Deployment it checks:
liveness and readiness probes on a declared port, CPU and memory requests, a memory limit, a
non-root, non-escalating, read-only-root security context; that every variable the service
requires is set (directly or as <NAME>_FILE pointing into a mounted key of the Secret), that no
variable is set that the service does not read, that listen addresses are not loopback and that
configured ports are declared container ports; then Services, the Ingress, PDBs and HPAs point at
things that exist.

Usage: check_k8s.py [--kubectl PATH] [--repo DIR]
The example overlay, deploy/k8s-example, is rendered and checked the same way, and
docs/configuration.md must name every variable (and alias) the services read.
It then re-runs the checks on damaged copies of the rendering (a probe removed, a required
variable removed, ...) and fails unless each damage is reported: the check itself cannot go blind.
"""

import argparse
import copy
import os
import re
import subprocess
import sys

import yaml

SERVICES = ["gateway", "user", "album", "event", "world"]
SECRET_MOUNT = "/run/secrets/hatongsu/"
TRUE_WORDS = {"1", "true", "yes", "on"}


# ---- What the sources say -------------------------------------------------------------------


class Variable:
    def __init__(self, names, method, rest):
        self.names = names  # primary name first, then accepted aliases
        self.method = method  # String, Int, Bool, Duration, List, Optional, Required, Secret
        self.rest = rest.strip()  # the arguments after the names, as written

    @property
    def name(self):
        return self.names[0]

    def default_text(self):
        m = re.match(r',\s*"([^"]*)"', self.rest)
        return m.group(1) if m else None


def cpp_strings(text):
    """The concatenated content of the C++ string literals in text."""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text))


def read_source(repo, service):
    path = os.path.join(repo, "services", service, "config.cpp")
    text = open(path, encoding="utf-8").read()
    if "storage::LoadConfig(env)" in text:
        text += open(os.path.join(repo, "libs/storage/src/config.cpp"), encoding="utf-8").read()
    return text


class ServiceSource:
    """The variables of one service and the rules on them, from its config.cpp."""

    def __init__(self, repo, service):
        self.service = service
        text = read_source(repo, service)
        self.variables = {}
        call = re.compile(
            r"env\.(String|Int|Bool|Duration|List|Optional|Required|Secret)\(\s*\{([^}]*)\}([^;]*?)\)\s*[;,)]",
            re.S)
        for method, names, rest in call.findall(text):
            self._add(re.findall(r'"(\w+)"', names), method, rest)
        for names, rest in re.findall(r"amqp::LoadUrl\(\s*env,\s*\{([^}]*)\}([^;]*)\)", text, re.S):
            self._add(re.findall(r'"(\w+)"', names), "Secret", ", \"\", false")
        for name in re.findall(r'PublicUrl\(env,\s*"(\w+)"\)', text):
            self._add([name], "String", ', ""')
        # runtime::LoadAdminConfig(env, "USER_", 9101): the metrics switch and the admin port.
        for prefix, port in re.findall(r'LoadAdminConfig\(\s*env,\s*"(\w+)",\s*(\d+)\)', text):
            self._add([prefix + "METRICS"], "Bool", ", true")
            self._add([prefix + "ADMIN_ADDR"], "String", ', "127.0.0.1"')
            self._add([prefix + "ADMIN_PORT"], "Int", f", {port}, 0, 65535")
        if len(self.variables) < 5:
            raise SystemExit(f"{service}: found only {len(self.variables)} variables in config.cpp")
        # Booleans by the field they are stored in (a secret required "when c.require_auth").
        self.bool_fields = {
            field: name for field, name in
            re.findall(r'([\w.]+)\s*=\s*env\.Bool\(\s*\{\s*"(\w+)"', text)}
        self.string_fields = {
            field: name for field, name in
            re.findall(r'([\w.]+)\s*=\s*env\.String\(\s*\{\s*"(\w+)"', text)}
        # "X (or Y) is required with STORAGE_BACKEND=s3": conditions written in the error text.
        self.conditional = []  # (names, condition variable, value)
        for args in re.findall(r"AddError\((.*?)\);", text, re.S):
            message = cpp_strings(args)
            m = re.match(r"(.*?) (?:is|are) required with (\w+)=(\w+)", message)
            if m:
                before = re.sub(r"\([^)]*\)", "", m.group(1))
                names = re.findall(r"\b[A-Z][A-Z0-9_]+\b", before)
                self.conditional.append((names, m.group(2), m.group(3)))
        # rpc::CheckListenSecurity(address field, secret, ..., "SECRET_NAME"): a listen address
        # off loopback needs the secret (this deployment uses no client-certificate CA).
        self.listen_security = []  # (address variable, secret variable)
        for field, secret in re.findall(
                r"CheckListenSecurity\(\s*([\w.]+),.*?\"(\w+)\"\)", text, re.S):
            self.listen_security.append((self.string_fields[field], secret))

    def _add(self, names, method, rest):
        if names and names[0] not in self.variables:
            self.variables[names[0]] = Variable(names, method, rest)

    def find(self, name):
        """The variable a name (or an alias) belongs to."""
        for v in self.variables.values():
            if name in v.names:
                return v
        return None

    def is_read(self, name):
        if self.find(name):
            return True
        if name.endswith("_FILE"):
            v = self.find(name[: -len("_FILE")])
            return v is not None and v.method == "Secret"
        return False

    def required(self, env):
        """Names required in this environment, each with the reason."""
        out = {}
        for v in self.variables.values():
            if v.method == "Required":
                out[v.name] = "config.cpp: Required"
            elif v.method == "Secret":
                m = re.match(r',\s*"([^"]*)"\s*,\s*([\w.]+)\s*$', v.rest)
                if v.rest == "":
                    out[v.name] = "config.cpp: a required secret"
                elif m and m.group(1) == "" and m.group(2) == "true":
                    out[v.name] = "config.cpp: a required secret"
                elif m and m.group(2) in self.bool_fields:
                    flag = self.bool_fields[m.group(2)]
                    if env.get(flag, "").strip().lower() in TRUE_WORDS:
                        out[v.name] = f"config.cpp: required when {flag} is true"
        for names, cond, value in self.conditional:
            if env.get(cond, "").strip().lower() == value.lower():
                for name in names:
                    out[name] = f"config.cpp: required with {cond}={value}"
        for address, secret in self.listen_security:
            if not is_loopback(env.get(address, "127.0.0.1")):
                out[secret] = f"config.cpp: {address} is not loopback"
        for v in self.variables.values():
            d = v.default_text()
            if v.name.endswith(("_ADDR", "_URL")) and d and is_loopback(d):
                out[v.name] = f"defaults to {d}, which other pods cannot reach"
        return out


def is_loopback(address):
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 else address
    return host in ("127.0.0.1", "localhost", "::1", "[::1]") or host.startswith("127.")


# Rules the sources do not spell out in a form the parser reads; every name here is checked to be
# a variable the service reads, so a rename fails the test instead of silently passing.
EXTRA_RULES = {
    # The bucket's check is a name check ("must be a bucket name"), which an empty value fails.
    ("gateway", "S3_BUCKET"): ("STORAGE_BACKEND", "s3"),
    ("album", "S3_BUCKET"): ("STORAGE_BACKEND", "s3"),
    # The services refuse unauthenticated callers off loopback: the gateway must present it.
    ("gateway", "HATONGSU_SERVICE_SECRET"): None,
    # Browsers need an address they can reach for the UDP port (README, world).
    ("world", "WORLD_PUBLIC_IP"): ("WORLD_UDP_ADDR", "0.0.0.0"),
}


def required_here(src, env, errors):
    """What the service requires in this environment: its source's rules plus EXTRA_RULES."""
    required = src.required(env)
    for (svc, var), cond in EXTRA_RULES.items():
        if svc != src.service:
            continue
        if not src.find(var):
            errors.append(f"test rule names {var}, which services/{svc} no longer reads")
        elif cond is None or env.get(cond[0], "").lower() == cond[1]:
            required[var] = "deployment rule in check_k8s.py"
    return required


# ---- The rendering ---------------------------------------------------------------------------


def render(kubectl, repo, tree="deploy/k8s"):
    try:
        out = subprocess.run(
            [kubectl, "kustomize", os.path.join(repo, tree)],
            check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise SystemExit(f"{kubectl} not found: scripts/setup installs it (Debian's kubernetes-client)")
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"kubectl kustomize {tree} failed:\n{e.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def container_env(container, pod, docs, errors, where):
    """name -> value of every variable the container gets; X_FILE paths are checked here."""
    env = {}
    configmaps = by_kind(docs, "ConfigMap")
    secrets = by_kind(docs, "Secret")
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef") or source.get("secretRef")
        kind = "ConfigMap" if "configMapRef" in source else "Secret"
        found = (configmaps if kind == "ConfigMap" else secrets).get(ref["name"])
        if found is None:
            errors.append(f"{where}: envFrom names {kind} {ref['name']}, which is not rendered")
            continue
        data = dict(found.get("data") or {})
        data.update(found.get("stringData") or {})
        env.update({k: str(v) for k, v in data.items()})
    for item in container.get("env", []):
        env[item["name"]] = str(item.get("value", "<from " + str(item.get("valueFrom")) + ">"))
    # Secret files: each X_FILE must point at a key of a Secret mounted at that path.
    mounted = {}  # path -> (secret name, key)
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for m in container.get("volumeMounts", []):
        v = volumes.get(m["name"])
        if not v or "secret" not in v:
            continue
        secret = v["secret"]
        keys = [i["key"] for i in secret.get("items", [])] or list(
            (secrets.get(secret["secretName"], {}).get("stringData") or {}).keys())
        for item in secret.get("items", []) or [{"key": k, "path": k} for k in keys]:
            mounted[os.path.join(m["mountPath"], item["path"])] = (secret["secretName"], item["key"])
    for name, value in env.items():
        if not name.endswith("_FILE") or not value.startswith(SECRET_MOUNT):
            continue
        if value not in mounted:
            errors.append(f"{where}: {name}={value} is not a mounted Secret key")
            continue
        secret_name, key = mounted[value]
        doc = secrets.get(secret_name)
        if doc is None:
            errors.append(f"{where}: {name} reads Secret {secret_name}, which is not rendered")
        elif key not in (doc.get("stringData") or {}) and key not in (doc.get("data") or {}):
            errors.append(f"{where}: {name} reads key {key}, which Secret {secret_name} lacks")
    return env


def check_probe(probe, container, where, what, errors):
    if not probe:
        errors.append(f"{where}: no {what}")
        return
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    numbers = set(ports.values())
    for kind in ("httpGet", "grpc", "tcpSocket"):
        if kind in probe:
            port = probe[kind].get("port")
            if not (port in ports or port in numbers):
                errors.append(f"{where}: {what} uses port {port}, which the container lacks")
            return
    errors.append(f"{where}: {what} is neither httpGet, grpc nor tcpSocket")


def check_security(pod, container, where, errors):
    psc = pod.get("securityContext") or {}
    csc = container.get("securityContext") or {}
    non_root = csc.get("runAsNonRoot", psc.get("runAsNonRoot"))
    user = csc.get("runAsUser", psc.get("runAsUser"))
    if non_root is not True:
        errors.append(f"{where}: runAsNonRoot is not true")
    if user == 0:
        errors.append(f"{where}: runAsUser is 0")
    if csc.get("allowPrivilegeEscalation") is not False:
        errors.append(f"{where}: allowPrivilegeEscalation is not false")
    if csc.get("readOnlyRootFilesystem") is not True:
        errors.append(f"{where}: readOnlyRootFilesystem is not true")
    if "ALL" not in ((csc.get("capabilities") or {}).get("drop") or []):
        errors.append(f"{where}: capabilities are not dropped")


def check(docs, sources):
    errors = []
    deployments = by_kind(docs, "Deployment")
    deployments.update(by_kind(docs, "StatefulSet"))
    seen = set()
    for name, d in deployments.items():
        pod = d["spec"]["template"]["spec"]
        labels = d["spec"]["template"]["metadata"].get("labels", {})
        selector = d["spec"]["selector"].get("matchLabels", {})
        if any(labels.get(k) != v for k, v in selector.items()):
            errors.append(f"{name}: the selector does not match the pod's labels")
        for c in pod["containers"]:
            where = f"{name}/{c['name']}"
            service = c["name"]
            if service not in sources:
                errors.append(f"{where}: container name is not one of {SERVICES}")
                continue
            seen.add(service)
            check_probe(c.get("livenessProbe"), c, where, "livenessProbe", errors)
            check_probe(c.get("readinessProbe"), c, where, "readinessProbe", errors)
            requests = (c.get("resources") or {}).get("requests") or {}
            limits = (c.get("resources") or {}).get("limits") or {}
            for r in ("cpu", "memory"):
                if r not in requests:
                    errors.append(f"{where}: no {r} request")
            if "memory" not in limits:
                errors.append(f"{where}: no memory limit")
            check_security(pod, c, where, errors)

            src = sources[service]
            env = container_env(c, pod, docs, errors, where)
            for var in env:
                if not src.is_read(var):
                    errors.append(f"{where}: {var} is set but services/{service} never reads it")
            required = required_here(src, env, errors)
            for var, why in sorted(required.items()):
                v = src.find(var)
                names = v.names if v else [var]
                # An empty value is not a value (an empty secret file is refused, too).
                present = [n for n in names if env.get(n)] + [
                    n + "_FILE" for n in names if v and v.method == "Secret" and env.get(n + "_FILE")]
                if not present:
                    errors.append(f"{where}: {var} is required ({why}) but not set")
                    continue
                value = env[present[0]]
                if var.endswith(("_ADDR", "_URL")) and not present[0].endswith("_FILE") and \
                        is_loopback(value):
                    errors.append(f"{where}: {var}={value} is loopback")
            # Configured ports are container ports (their own prefix only: MINIO_PORT is S3's).
            declared = {p["containerPort"] for p in c.get("ports", [])}
            prefix = service.upper() + "_"
            for v in src.variables.values():
                if not v.name.startswith(prefix):
                    continue
                value = None
                if v.name.endswith("_PORT") and v.method == "Int":
                    value = next((env[n] for n in v.names if n in env), None)
                    if value is None:
                        m = re.match(r",\s*(\d+)", v.rest)
                        value = m.group(1) if m else None
                elif v.name.endswith("_GRPC_ADDR"):
                    addr = next((env[n] for n in v.names if n in env), v.default_text() or "")
                    value = addr.rsplit(":", 1)[-1]
                if value is not None and value.isdigit() and int(value) not in declared:
                    errors.append(f"{where}: {v.name} is {value}, not a declared container port")
        replicas = d["spec"].get("replicas", 1)
        if replicas > 1:
            pdbs = [p for p in by_kind(docs, "PodDisruptionBudget").values()
                    if all(labels.get(k) == val for k, val in
                           p["spec"]["selector"].get("matchLabels", {}).items())]
            if not pdbs:
                errors.append(f"{name}: {replicas} replicas but no PodDisruptionBudget")
    for service in SERVICES:
        if service not in seen:
            errors.append(f"no Deployment runs services/{service}")

    # The gateway's upstreams are Services with those ports.
    services = by_kind(docs, "Service")
    gateway = next((d for d in deployments.values()
                    if d["spec"]["template"]["spec"]["containers"][0]["name"] == "gateway"), None)
    if gateway:
        c = gateway["spec"]["template"]["spec"]["containers"][0]
        env = container_env(c, gateway["spec"]["template"]["spec"], docs, [], "gateway")
        for var in ("USER_GRPC_URL", "ALBUM_GRPC_URL"):
            host, _, port = env.get(var, ":").rpartition(":")
            svc = services.get(host.split(".")[0])
            if not svc or int(port or 0) not in [p["port"] for p in svc["spec"]["ports"]]:
                errors.append(f"gateway: {var}={env.get(var)} is not a rendered Service port")

    pods = [d["spec"]["template"]["metadata"].get("labels", {}) for d in deployments.values()]
    for name, svc in services.items():
        sel = svc["spec"].get("selector", {})
        if not any(all(p.get(k) == v for k, v in sel.items()) for p in pods):
            errors.append(f"Service {name}: its selector matches no pod")
    for ing in by_kind(docs, "Ingress").values():
        for rule in ing["spec"].get("rules", []):
            for path in rule["http"]["paths"]:
                b = path["backend"]["service"]
                svc = services.get(b["name"])
                names = [p.get("name") for p in svc["spec"]["ports"]] if svc else []
                if not svc or b["port"].get("name") not in names and \
                        b["port"].get("number") not in [p["port"] for p in svc["spec"]["ports"]]:
                    errors.append(f"Ingress {rule.get('host')}: backend {b} does not exist")
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in hpas.values()}
    for t in targets:
        if t not in deployments:
            errors.append(f"HorizontalPodAutoscaler targets {t}, which is not rendered")
    for must in ("hatongsu-gateway", "hatongsu-album"):
        if must not in targets:
            errors.append(f"no HorizontalPodAutoscaler for {must}")
    return errors


# ---- Self-test: each damage must be caught ---------------------------------------------------


def damaged(docs):
    """(what was damaged, damaged copy) pairs."""

    def container(copy_, deployment):
        d = next(x for x in copy_ if x.get("kind") == "Deployment"
                 and x["metadata"]["name"] == deployment)
        return d["spec"]["template"]["spec"]["containers"][0]

    def configmap(copy_, name):
        return next(x for x in copy_ if x.get("kind") == "ConfigMap"
                    and x["metadata"]["name"] == name)["data"]

    cases = []

    def case(what, fn):
        c = copy.deepcopy(docs)
        fn(c)
        cases.append((what, c))

    case("gateway without livenessProbe",
         lambda c: container(c, "hatongsu-gateway").pop("livenessProbe"))
    case("album without readinessProbe",
         lambda c: container(c, "hatongsu-album").pop("readinessProbe"))
    case("user without USER_PG_URL_FILE",
         lambda c: configmap(c, "hatongsu-user").pop("USER_PG_URL_FILE"))
    case("user without REFRESH_TOKEN_SECRET_FILE",
         lambda c: configmap(c, "hatongsu-user").pop("REFRESH_TOKEN_SECRET_FILE"))
    case("storage without S3_ENDPOINT",
         lambda c: configmap(c, "hatongsu-storage").pop("S3_ENDPOINT"))
    case("storage without S3_BUCKET",
         lambda c: configmap(c, "hatongsu-storage").pop("S3_BUCKET"))
    case("album without HATONGSU_SERVICE_SECRET_FILE",
         lambda c: configmap(c, "hatongsu-album").pop("HATONGSU_SERVICE_SECRET_FILE"))
    case("event listening on loopback",
         lambda c: configmap(c, "hatongsu-event").pop("EVENT_HTTP_ADDR"))
    case("event requiring auth without its secret",
         lambda c: configmap(c, "hatongsu-event").update(
             {"EVENT_REQUIRE_AUTH": "true", "ACCESS_TOKEN_SECRET_FILE": ""}))
    case("world without a public IP",
         lambda c: configmap(c, "hatongsu-world").pop("WORLD_PUBLIC_IP"))
    case("a misspelt variable",
         lambda c: configmap(c, "hatongsu-album").update({"ALBUM_DECODE_THREAD": "2"}))
    case("world without resources", lambda c: container(c, "hatongsu-world").pop("resources"))
    case("user run as root",
         lambda c: container(c, "hatongsu-user")["securityContext"].update(
             {"runAsNonRoot": False, "runAsUser": 0}))
    case("gateway with a writable root",
         lambda c: container(c, "hatongsu-gateway")["securityContext"].pop(
             "readOnlyRootFilesystem"))
    case("album without its amqp-url key mounted",
         lambda c: next(v for v in next(
             x for x in c if x.get("kind") == "Deployment"
             and x["metadata"]["name"] == "hatongsu-album")["spec"]["template"]["spec"]["volumes"]
             if v["name"] == "secrets")["secret"]["items"].pop(2))
    case("gateway's port moved", lambda c: configmap(c, "hatongsu-gateway").update(
        {"GATEWAY_HTTP_PORT": "4444"}))
    return cases


def undocumented(doc, sources):
    """Variables (and accepted aliases) a service reads that docs/configuration.md never names."""
    return [f"docs/configuration.md does not name {n} (read by services/{s.service})"
            for s in sources.values() for v in s.variables.values() for n in v.names
            if not re.search(r"`" + n + r"[`,( ]", doc)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubectl", default=os.environ.get("KUBECTL", "kubectl"))
    parser.add_argument("--repo", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    args = parser.parse_args()
    sources = {s: ServiceSource(args.repo, s) for s in SERVICES}
    docs = render(args.kubectl, args.repo)
    errors = check(docs, sources)
    for e in errors:
        print("FAIL:", e)
    # The example overlay must stay a valid deployment too.
    example = check(render(args.kubectl, args.repo, "deploy/k8s-example"), sources)
    for e in example:
        print("FAIL: deploy/k8s-example:", e)
    doc = open(os.path.join(args.repo, "docs/configuration.md"), encoding="utf-8").read()
    for e in undocumented(doc, sources):
        print("FAIL:", e)
        errors.append(e)
    blind = []
    if not undocumented(doc.replace("`EVENT_CHAT_RATE`", "EVENT_CHAT_RATE"), sources):
        blind.append("docs/configuration.md without EVENT_CHAT_RATE")
        found = check(bad, sources)
        if len(found) <= len(errors):
            blind.append(what)
        else:
            print(f"ok: {what} -> {[f for f in found if f not in errors][0]}")
    for what in blind:
        print("FAIL: the check did not notice:", what)
    kinds = sorted({d["kind"] for d in docs})
    print(f"{len(docs)} objects rendered ({', '.join(kinds)}); "
          f"{sum(len(s.variables) for s in sources.values())} variables read by the services")
    return 1 if errors or example or blind else 0


if __name__ == "__main__":
    sys.exit(main())
