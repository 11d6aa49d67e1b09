#!/usr/bin/env bash
# Installs and starts real Docker and Podman on a Debian machine, as root, with the settings
# this sandbox needs (see README "Runtimes"), then builds the local busybox test image on both.
# Idempotent: every step checks before it acts. Safe to run again.
set -euo pipefail

log() { printf '[provision] %s\n' "$*"; }
die() { printf '[provision] cannot continue: %s\n' "$*" >&2; exit 1; }
# shellcheck source=lib/debian.sh
. "$(dirname "$0")/lib/debian.sh"

TEST_IMAGE="${OCIMAN_TEST_IMAGE:-localhost/ociman-test/busybox:1}"

[ "$(id -u)" = 0 ] || die "run as root (it installs Debian packages and starts dockerd)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian only; install Docker and/or Podman yourself"

# golang-github-containernetworking-plugin-dnsname: DNS (network aliases) on Podman's CNI networks.
# docker-registry, apache2-utils (htpasswd): the local registries of the pull/push/login tests.
# iproute2: the bridge of the spare dockerd the deadline tests freeze (test/support/frozenEngine.ts).
# catatonit: Podman's `--init` (ContainerDefinition.withInit); Docker brings its own docker-init.
packages=(podman docker.io runc busybox-static uidmap slirp4netns fuse-overlayfs
  golang-github-containernetworking-plugin-dnsname docker-registry apache2-utils iproute2 catatonit)
ensure_debian_packages "${packages[@]}"

# crun fails on this host's hybrid cgroups; the hard rlimits Podman asks for cannot be raised here.
conf=/etc/containers/containers.conf
if ! grep -q 'ociman-provision' "$conf" 2>/dev/null; then
  log "writing $conf (runtime = runc, lower default ulimits)"
  mkdir -p /etc/containers
  cat >"$conf" <<'CONF'
# ociman-provision: settings this sandbox needs (crun fails on hybrid cgroups; rlimits cannot be raised)
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
CONF
fi

if docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
  log "Docker engine already answers"
else
  log "starting dockerd (no systemd here)"
  nohup dockerd --default-ulimit nofile=1024:1024 --default-ulimit nproc=1024:1024 \
    >/var/log/ociman-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker version --format '{{.Server.Version}}' >/dev/null 2>&1 ||
    { tail -n 30 /var/log/ociman-dockerd.log >&2; die "dockerd did not answer within 30 s"; }
fi
log "docker engine $(docker version --format '{{.Server.Version}}'), podman $(podman --version | awk '{print $3}')"

# Podman's API service (the Engine-API transport's tests, and the remote slice): no systemd here,
# so started by hand; `--time=0` keeps it running.
if podman --remote --url unix:///run/podman/podman.sock version >/dev/null 2>&1; then
  log "podman's API service already answers"
else
  log "starting podman's API service on unix:///run/podman/podman.sock"
  mkdir -p /run/podman
  nohup podman system service --time=0 unix:///run/podman/podman.sock >/var/log/ociman-podman-service.log 2>&1 &
  for _ in $(seq 1 60); do
    podman --remote --url unix:///run/podman/podman.sock version >/dev/null 2>&1 && break
    sleep 0.5
  done
  podman --remote --url unix:///run/podman/podman.sock version >/dev/null 2>&1 ||
    { tail -n 30 /var/log/ociman-podman-service.log >&2; die "podman's API service did not answer within 30 s"; }
fi

# Two local registries for the pull/push/login tests (plain HTTP on the loopback, which Docker
# treats as insecure by itself; Podman is told so below): 127.0.0.1:5000 open, 127.0.0.1:5001 behind
# htpasswd. The password of the `ociman` user is made here and left, readable by root only, in
# $REGISTRY_DIR/password, where the tests read it (OCIMAN_TEST_REGISTRY_PASSWORD_FILE overrides).
REGISTRY_DIR=/var/lib/ociman-registry
# Any HTTP answer to GET /v2/ (200 open, 401 behind auth) means the registry is up; bash's
# /dev/tcp needs no HTTP client.
registry_answers() {
  local host=${1%:*} port=${1##*:} status
  status=$(timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port && printf 'GET /v2/ HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3" 2>/dev/null) || return 1
  [[ $status == HTTP/* ]]
}
start_registry() { # name addr [auth]
  local name=$1 addr=$2 auth=${3:-}
  if registry_answers "$addr"; then log "registry $name already answers on $addr"; return; fi
  mkdir -p "$REGISTRY_DIR/$name"
  {
    printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$REGISTRY_DIR/$name"
    printf 'http:\n  addr: %s\n' "$addr"
    [ -z "$auth" ] || printf 'auth:\n  htpasswd:\n    realm: ociman-test\n    path: %s\n' "$REGISTRY_DIR/htpasswd"
  } >"$REGISTRY_DIR/$name.yml"
  log "starting registry $name on $addr"
  nohup docker-registry serve "$REGISTRY_DIR/$name.yml" >"/var/log/ociman-registry-$name.log" 2>&1 &
  for _ in $(seq 1 40); do registry_answers "$addr" && return; sleep 0.25; done
  tail -n 20 "/var/log/ociman-registry-$name.log" >&2
  die "registry $name did not answer on $addr within 10 s"
}
mkdir -p "$REGISTRY_DIR"
chmod 700 "$REGISTRY_DIR"
if [ ! -s "$REGISTRY_DIR/password" ]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$REGISTRY_DIR/password")
fi
htpasswd -Bbn ociman "$(cat "$REGISTRY_DIR/password")" >"$REGISTRY_DIR/htpasswd"
start_registry open 127.0.0.1:5000
start_registry auth 127.0.0.1:5001 auth
mkdir -p /etc/containers/registries.conf.d
cat >/etc/containers/registries.conf.d/ociman-test.conf <<'CONF'
# ociman-provision: the test registries speak plain HTTP on the loopback.
[[registry]]
location = "127.0.0.1:5000"
insecure = true
[[registry]]
location = "127.0.0.1:5001"
insecure = true
CONF

# The busybox test image, built with no registry: FROM scratch plus the static busybox binary
# (and the /tmp, /root and /www directories tests expect).
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp /bin/busybox "$context/busybox"
# test/fixtures/images/busybox/Dockerfile (the rootless slice builds the same one)
cp "$(dirname "$0")/../test/fixtures/images/busybox/Dockerfile" "$context/Dockerfile"
# Always (re)built: it takes a second, and an image from an older version of this script is replaced.
for runtime in docker podman; do
  log "$runtime: building $TEST_IMAGE"
  $runtime build --quiet --tag "$TEST_IMAGE" "$context" >/dev/null
done

# The PostgreSQL test image of @ociman/postgres, built with no registry: Debian's postgresql-15 in
# a debootstrap rootfs (cached as a tarball: ~45 s plus the mirror the first time), imported as a
# base image, then test/fixtures/images/postgres (an entrypoint that follows the official postgres
# image's contract) built on it. Each step is skipped when its result is already there.
PG_IMAGE=localhost/ociman-test/postgres:15
PG_BASE=localhost/ociman-test/postgres-base:15
PG_CACHE="${OCIMAN_PROVISION_CACHE:-/var/cache/ociman-provision}"
PG_ROOTFS="$PG_CACHE/postgres-15-rootfs.tar"
PG_CONTEXT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/fixtures/images/postgres" && pwd)"
image_label() { # runtime image key: the label's value, empty when the image or the label is absent
  "$1" image inspect --format "{{ index .Config.Labels \"$3\" }}" "$2" 2>/dev/null | sed 's/^<no value>$//' || true
}
mkdir -p "$PG_CACHE"
if [ ! -s "$PG_ROOTFS" ]; then
  ensure_debian_packages debootstrap
  # the mirror apt already uses for bookworm
  mirror=$(apt-get indextargets --format '$(REPO_URI) $(CODENAME)' | awk '$2 == "bookworm" { print $1; exit }')
  rm -rf "$PG_CACHE"/rootfs.* # a run cut short leaves its half-made rootfs
  rootfs=$(mktemp -d "$PG_CACHE/rootfs.XXXXXX")
  log "debootstrap of postgresql-15 from ${mirror:-the default mirror} (about a minute)"
  debootstrap --variant=minbase --include=postgresql-15 bookworm "$rootfs" ${mirror:+"$mirror"} >"$PG_CACHE/debootstrap.log" 2>&1 ||
    { tail -n 30 "$PG_CACHE/debootstrap.log" >&2; die "debootstrap failed (log: $PG_CACHE/debootstrap.log)"; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -cf "$PG_ROOTFS.partial" .
  mv "$PG_ROOTFS.partial" "$PG_ROOTFS"
  rm -rf "$rootfs"
fi
rootfs_id=$(stat -c '%s-%Y' "$PG_ROOTFS")
pg_hash=$( (echo "$rootfs_id" && cat "$PG_CONTEXT/Dockerfile" "$PG_CONTEXT/docker-entrypoint.sh") | sha256sum | cut -c1-64)
for runtime in docker podman; do
  if [ "$(image_label "$runtime" "$PG_BASE" ociman-test.rootfs)" != "$rootfs_id" ]; then
    log "$runtime: importing $PG_BASE"
    $runtime import --change "LABEL ociman-test.rootfs=$rootfs_id" "$PG_ROOTFS" "$PG_BASE" >/dev/null
  fi
  if [ "$(image_label "$runtime" "$PG_IMAGE" ociman-test.hash)" = "$pg_hash" ]; then
    log "$runtime: $PG_IMAGE is up to date"
  else
    log "$runtime: building $PG_IMAGE"
    $runtime build --quiet --build-arg "BASE=$PG_BASE" --label "ociman-test.hash=$pg_hash" --tag "$PG_IMAGE" "$PG_CONTEXT" >/dev/null
  fi
done
log "ready"
