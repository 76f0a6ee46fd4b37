#!/usr/bin/env python3
"""Checks deploy/docker/*.Dockerfile and deploy/compose.yaml without a container engine.

No image is built here (this machine has no engine and no registry): what can be checked from the
files is. Each service's Dockerfile: a build stage from debian:12 that runs scripts/setup and
builds that service's target, a last stage from debian:12-slim that installs the packages
runtime-packages.sh found, runs as a numeric non-root USER, has a HEALTHCHECK on a port variable
the service reads, and starts the service's binary; the gateway's also carries the web client.
compose.yaml: every service of ours builds from its Dockerfile, sets every variable its config.cpp
requires (as in check_k8s.py), sets no variable the service does not read, and every secret it
names is declared with a file that deploy/secrets.sh makes; data lives in named volumes.

Usage: check_containers.py [--repo DIR]
Then damaged copies (no USER, root USER, no HEALTHCHECK, a required variable dropped, an unknown
secret) must each be reported, so the check cannot go blind.
"""

import argparse
import copy
import os
import re
import sys

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from check_k8s import SERVICES, ServiceSource, is_loopback, required_here  # noqa: E402


def stages(text):
    """[(FROM line, [instructions])] with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            out.append((line, []))
        elif out:
            out[-1][1].append(line)
    return out


def check_dockerfile(service, text, src):
    errors = []
    st = stages(text)
    where = f"deploy/docker/{service}.Dockerfile"
    if len(st) < 2:
        return [f"{where}: not multi-stage"]
    build_from, build = st[0]
    if not re.match(r"FROM debian:12\b", build_from):
        errors.append(f"{where}: the build stage is not debian:12")
    if not any("scripts/setup" in i and i.startswith("RUN") for i in build):
        errors.append(f"{where}: the build stage does not run scripts/setup")
    if not any(f"--target hatongsu-{service}" in i for i in build):
        errors.append(f"{where}: the build stage does not build hatongsu-{service}")
    if not any("runtime-packages.sh" in i for i in build):
        errors.append(f"{where}: the runtime packages are not derived from the binary")
    last_from, last = st[-1]
    if not re.match(r"FROM debian:12-slim\b", last_from):
        errors.append(f"{where}: the runtime stage is not debian:12-slim")
    users = [i.split(None, 1)[1] for i in last if i.upper().startswith("USER ")]
    if not users:
        errors.append(f"{where}: no USER in the runtime stage (it would run as root)")
    else:
        uid = users[-1].split(":")[0]
        if not uid.isdigit() or int(uid) == 0:
            errors.append(f"{where}: USER {users[-1]} is not a numeric non-root user")
    health = [i for i in last if i.upper().startswith("HEALTHCHECK ")]
    if not health:
        errors.append(f"{where}: no HEALTHCHECK")
    else:
        variables = re.findall(r"\$\{(\w+)", health[-1])
        if not variables:
            errors.append(f"{where}: the HEALTHCHECK names no port variable")
        for v in variables:
            if not src.find(v):
                errors.append(f"{where}: the HEALTHCHECK uses {v}, which {service} never reads")
    env_lines = [i[4:] for i in last if i.upper().startswith("ENV ")]
    for name in re.findall(r"(\w+)=", " ".join(env_lines)):
        if not src.is_read(name):
            errors.append(f"{where}: ENV {name}, which {service} never reads")
    if not any(f'ENTRYPOINT ["/usr/bin/hatongsu-{service}"]' == i for i in last):
        errors.append(f"{where}: the ENTRYPOINT is not /usr/bin/hatongsu-{service}")
    if service == "gateway" and not any(
            "--from=web" in i and "/usr/share/hatongsu/web" in i for i in last):
        errors.append(f"{where}: the web client (web/dist) is not in the image")
    return errors


def secrets_made(repo):
    script = open(os.path.join(repo, "deploy/secrets.sh"), encoding="utf-8").read()
    return set(re.findall(r"^make ([\w.-]+) ", script, re.M))


def check_compose(compose, sources, made):
    errors = []
    declared = compose.get("secrets") or {}
    for name, spec in declared.items():
        f = os.path.basename(spec.get("file", ""))
        if f not in made:
            errors.append(f"compose: secret {name} reads {spec.get('file')}, "
                          "which deploy/secrets.sh does not make")
    for name, svc in compose["services"].items():
        for s in svc.get("secrets", []):
            s = s["source"] if isinstance(s, dict) else s
            if s not in declared:
                errors.append(f"compose: {name} uses secret {s}, which is not declared")
        for v in svc.get("volumes", []):
            source = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
            if source.startswith((".", "/")):
                errors.append(f"compose: {name} keeps data in a host folder ({source}), "
                              "not a named volume")
            elif source not in (compose.get("volumes") or {}):
                errors.append(f"compose: {name} uses volume {source}, which is not declared")
    for service in SERVICES:
        svc = compose["services"].get(service)
        if svc is None:
            errors.append(f"compose: no service {service}")
            continue
        build = svc.get("build") or {}
        if build.get("dockerfile") != f"deploy/docker/{service}.Dockerfile":
            errors.append(f"compose: {service} does not build deploy/docker/{service}.Dockerfile")
        src = sources[service]
        env = {k: str(v) for k, v in (svc.get("environment") or {}).items()}
        mounted = {f"/run/secrets/{s['target'] if isinstance(s, dict) else s}"
                   for s in svc.get("secrets", [])}
        for var, value in env.items():
            if not src.is_read(var):
                errors.append(f"compose: {service} sets {var}, which it never reads")
            if var.endswith("_FILE") and value not in mounted:
                errors.append(f"compose: {service}: {var}={value} is not one of its secrets")
        for var, why in sorted(required_here(src, env, errors).items()):
            v = src.find(var)
            names = v.names if v else [var]
            present = [n for n in names if env.get(n)] + [
                n + "_FILE" for n in names if env.get(n + "_FILE")]
            if not present:
                errors.append(f"compose: {service}: {var} is required ({why}) but not set")
            elif var.endswith(("_ADDR", "_URL")) and not present[0].endswith("_FILE") and \
                    is_loopback(env[present[0]]):
                errors.append(f"compose: {service}: {var} is loopback")
    return errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    args = parser.parse_args()
    sources = {s: ServiceSource(args.repo, s) for s in SERVICES}
    dockerfiles = {}
    errors = []
    for s in SERVICES:
        path = os.path.join(args.repo, "deploy/docker", f"{s}.Dockerfile")
        if not os.path.exists(path):
            errors.append(f"no {path}")
            continue
        dockerfiles[s] = open(path, encoding="utf-8").read()
        errors += check_dockerfile(s, dockerfiles[s], sources[s])
    compose = yaml.safe_load(open(os.path.join(args.repo, "deploy/compose.yaml"), encoding="utf-8"))
    made = secrets_made(args.repo)
    errors += check_compose(compose, sources, made)
    for e in errors:
        print("FAIL:", e)

    damages = [
        ("user image without USER", "user",
         lambda t: re.sub(r"^USER .*\n", "", t, flags=re.M)),
        ("album image as root", "album", lambda t: t.replace("USER 10001:10001", "USER 0")),
        ("event image without HEALTHCHECK", "event",
         lambda t: re.sub(r"HEALTHCHECK .*?\n  CMD .*?\n", "", t, flags=re.S)),
        ("gateway image without the web client", "gateway",
         lambda t: re.sub(r"^COPY --from=web .*\n", "", t, flags=re.M)),
        ("world runtime on a full debian", "world",
         lambda t: t.replace("FROM debian:12-slim", "FROM debian:12")),
    ]
    blind = []
    for what, s, damage in damages:
        if len(check_dockerfile(s, damage(dockerfiles[s]), sources[s])) == 0:
            blind.append(what)
    compose_damages = [
        ("compose user without its database URL",
         lambda c: c["services"]["user"]["environment"].pop("USER_PG_URL_FILE")),
        ("compose album without its bucket",
         lambda c: c["services"]["album"]["environment"].pop("S3_BUCKET")),
        ("compose gateway on loopback",
         lambda c: c["services"]["gateway"]["environment"].update(
             {"USER_GRPC_URL": "127.0.0.1:4001"})),
        ("compose world with a misspelt variable",
         lambda c: c["services"]["world"]["environment"].update({"WORLD_PUBLIC_ADDR": "x"})),
        ("compose secret file nobody makes",
         lambda c: c["secrets"].update({"extra": {"file": "./secrets/extra"}})),
        ("compose data in a host folder",
         lambda c: c["services"]["postgres"]["volumes"].append("./pg:/var/lib/postgresql/data")),
    ]
    for what, damage in compose_damages:
        bad = copy.deepcopy(compose)
        damage(bad)
        if len(check_compose(bad, sources, made)) <= len(errors):
            blind.append(what)
    for what in blind:
        print("FAIL: the check did not notice:", what)
    print(f"{len(dockerfiles)} Dockerfiles and {len(compose['services'])} compose services checked; "
          f"{len(damages) + len(compose_damages) - len(blind)} damaged copies caught")
    return 1 if errors or blind else 0


if __name__ == "__main__":
    sys.exit(main())
