#!/usr/bin/env bash
# The rootless Podman slice (`npm run test:rootless`, as root, after scripts/provision-runtimes.sh):
# makes an unprivileged user able to run rootless Podman (the recipe in ../README.md "Runtimes"),
# copies this checkout (with its node_modules) where that user can read it, builds the busybox test
# image in the user's own storage, and runs, as that user, the tests that prove rootless works: the
# conformance suite, the leak matrix's SIGKILL mode and the sweep, the image build and hash tests
# (library), networks and the host gateway, and the runtime probe (which must report
# rootless: true). The checkout must be built (`npm run build`; CI runs `npm test` first). Podman is required: a failure to
# reach it fails the slice.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[rootless] %s\n' "$*"; }
die() { printf '[rootless] cannot continue: %s\n' "$*" >&2; exit 1; }

USER_NAME="${OCIMAN_ROOTLESS_USER:-ociman-rootless}"
TEST_IMAGE="${OCIMAN_TEST_IMAGE:-localhost/ociman-test/busybox:1}"

[ "$(id -u)" = 0 ] || die "run as root (it creates the unprivileged user)"
command -v podman >/dev/null || die "podman is not installed: run scripts/provision-runtimes.sh first"

if ! id "$USER_NAME" >/dev/null 2>&1; then
  log "creating user $USER_NAME"
  useradd --create-home --shell /bin/bash "$USER_NAME"
fi
home=$(getent passwd "$USER_NAME" | cut -d: -f6)
uid=$(id -u "$USER_NAME")

# Subordinate ids for the user namespace (newuidmap/newgidmap from uidmap read them).
for file in /etc/subuid /etc/subgid; do
  grep -q "^$USER_NAME:" "$file" 2>/dev/null || echo "$USER_NAME:100000:65536" >>"$file"
done
# slirp4netns opens /dev/net/tun as the user: "open(/dev/net/tun): Permission denied" otherwise.
chmod 666 /dev/net/tun

# The user's own containers.conf: the same runtime and rlimits as root's (see provision-runtimes.sh),
# and cgroupfs, since there is no systemd user session to ask for cgroups.
install -d -o "$USER_NAME" -g "$USER_NAME" "$home/.config" "$home/.config/containers"
cat >"$home/.config/containers/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
chown "$USER_NAME:" "$home/.config/containers/containers.conf"

# A runtime directory of the user's own (no systemd/logind to make /run/user/UID).
runtime_dir="/run/user/$uid"
install -d -m 700 -o "$USER_NAME" -g "$USER_NAME" "$runtime_dir"

log "copying the checkout to $home/ociman"
rm -rf "$home/ociman"
mkdir -p "$home/ociman"
tar --exclude=./.git -cf - . | tar -C "$home/ociman" -xf -
chown -R "$USER_NAME:" "$home/ociman"

as_user() {
  su - "$USER_NAME" -c "export XDG_RUNTIME_DIR=$runtime_dir PATH=$PATH; cd ~/ociman && $*"
}

log "podman as $USER_NAME: $(as_user "podman info --format 'rootless={{.Host.Security.Rootless}} network={{.Host.NetworkBackend}}'")"

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp /bin/busybox "$context/busybox"
cp test/fixtures/images/busybox/Dockerfile "$context/Dockerfile"
chmod -R a+rX "$context"
log "building $TEST_IMAGE in $USER_NAME's storage"
as_user "podman build --quiet --tag '$TEST_IMAGE' '$context' >/dev/null"

log "running the rootless tests"
# two files at a time; the leak matrix (its SIGKILL mode) and the sweeper last, each group alone (vitest.workspace.ts)
as_user "OCIMAN_TEST_BACKENDS=podman OCIMAN_EXPECT_ROOTLESS=1 OCIMAN_LEAK_MODES=SIGKILL \
  npx vitest run --maxWorkers=2 --project 'integration*' \
  test/conformance-cli-podman.test.ts test/sweeper.test.ts test/image.test.ts test/network.test.ts \
  test/runtime.test.ts test/rootless.test.ts test/leaks-podman.test.ts"
