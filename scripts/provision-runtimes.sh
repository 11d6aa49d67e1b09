#!/usr/bin/env bash
# Installs and starts real Docker and Podman on a Debian machine, as root, with the settings
# this sandbox needs (see README "Runtimes"), then builds the local busybox test image on both.
# Idempotent: every step checks before it acts. Safe to run again.
set -euo pipefail

log() { printf '[provision] %s\n' "$*"; }
die() { printf '[provision] cannot continue: %s\n' "$*" >&2; exit 1; }

TEST_IMAGE="${OCIMAN_TEST_IMAGE:-localhost/ociman-test/busybox:1}"

[ "$(id -u)" = 0 ] || die "run as root (it installs Debian packages and starts dockerd)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian only; install Docker and/or Podman yourself"

# golang-github-containernetworking-plugin-dnsname: DNS (network aliases) on Podman's CNI networks.
packages=(podman docker.io runc busybox-static uidmap slirp4netns fuse-overlayfs
  golang-github-containernetworking-plugin-dnsname)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages already installed"
fi

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

# The busybox test image, built with no registry: FROM scratch plus the static busybox binary
# (and the /tmp, /root and /www directories tests expect).
context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp /bin/busybox "$context/busybox"
cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp /root /www && chmod 1777 /tmp"]
CMD ["sh"]
DOCKERFILE
# Always (re)built: it takes a second, and an image from an older version of this script is replaced.
for runtime in docker podman; do
  log "$runtime: building $TEST_IMAGE"
  $runtime build --quiet --tag "$TEST_IMAGE" "$context" >/dev/null
done
log "ready"
