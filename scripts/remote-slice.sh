#!/usr/bin/env bash
# The remote-engines slice (`npm run test:remote`, as root, after scripts/provision-runtimes.sh):
# the same engines reached the ways users reach engines on other machines, all on the loopback:
# - Docker through a context (`ociman-tcp`) whose endpoint is tcp://127.0.0.2:2375, a forwarder to
#   the local socket (the whole 127.0.0.0/8 is loopback, so published ports live on another address);
# - Docker over ssh (DOCKER_HOST=ssh://root@127.0.0.1:2222, sshd on the loopback, a key made here);
# - Podman through its API service (`podman system service`) and a named connection over ssh
#   (CONTAINER_CONNECTION=ociman-ssh).
# Then runs test/remote.test.ts with every endpoint required.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[remote] %s\n' "$*"; }
die() { printf '[remote] cannot continue: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs and starts sshd)"

# shellcheck source=lib/debian.sh
. scripts/lib/debian.sh
ensure_debian_packages openssh-server openssh-client socat

port_answers() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
wait_for() { # description command...
  local what=$1
  shift
  for _ in $(seq 1 40); do "$@" && return; sleep 0.25; done
  die "$what did not come up within 10 s"
}

# A key of this machine's own for root@127.0.0.1:2222, and ssh told to use it there.
ssh_dir="$HOME/.ssh"
key="$ssh_dir/ociman-remote"
install -d -m 700 "$ssh_dir"
[ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C ociman-remote -f "$key"
touch "$ssh_dir/authorized_keys"
chmod 600 "$ssh_dir/authorized_keys"
grep -qF "$(cat "$key.pub")" "$ssh_dir/authorized_keys" || cat "$key.pub" >>"$ssh_dir/authorized_keys"
if ! grep -q 'ociman-remote' "$ssh_dir/config" 2>/dev/null; then
  cat >>"$ssh_dir/config" <<CONF
# ociman-remote: the loopback sshd of the remote-engines tests
Host 127.0.0.1
  Port 2222
  User root
  IdentityFile $key
  StrictHostKeyChecking accept-new
  UserKnownHostsFile $ssh_dir/ociman-remote-known-hosts
CONF
  chmod 600 "$ssh_dir/config"
fi

if ! port_answers 127.0.0.1 2222; then
  log "starting sshd on 127.0.0.1:2222"
  mkdir -p /run/sshd
  [ -f /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -A
  /usr/sbin/sshd -p 2222 -o ListenAddress=127.0.0.1 -o PermitRootLogin=prohibit-password -o PasswordAuthentication=no
  wait_for sshd port_answers 127.0.0.1 2222
fi

if ! port_answers 127.0.0.2 2375; then
  log "forwarding tcp://127.0.0.2:2375 to the Docker socket"
  nohup socat TCP-LISTEN:2375,bind=127.0.0.2,fork,reuseaddr UNIX-CONNECT:/var/run/docker.sock \
    >/var/log/ociman-docker-forward.log 2>&1 &
  wait_for "the Docker forwarder" port_answers 127.0.0.2 2375
fi
# Podman's ssh client reads ~/.ssh/known_hosts only (and warns when it is missing).
grep -q '^\[127.0.0.1\]:2222 ' "$ssh_dir/known_hosts" 2>/dev/null ||
  ssh-keyscan -p 2222 127.0.0.1 2>/dev/null >>"$ssh_dir/known_hosts"

docker context inspect ociman-tcp >/dev/null 2>&1 ||
  docker context create ociman-tcp --docker host=tcp://127.0.0.2:2375 >/dev/null

if [ ! -S /run/podman/podman.sock ] || ! podman --remote --url unix:///run/podman/podman.sock version >/dev/null 2>&1; then
  log "starting podman system service on unix:///run/podman/podman.sock"
  mkdir -p /run/podman
  nohup podman system service --time=0 unix:///run/podman/podman.sock >/var/log/ociman-podman-service.log 2>&1 &
  wait_for "podman's API service" test -S /run/podman/podman.sock
fi
podman system connection list --format '{{.Name}}' | grep -qx ociman-ssh ||
  podman system connection add ociman-ssh --identity "$key" ssh://root@127.0.0.1:2222/run/podman/podman.sock

log "docker over ssh: $(DOCKER_HOST=ssh://root@127.0.0.1:2222 docker version --format '{{.Server.Version}}')"
log "docker through the context: $(DOCKER_CONTEXT=ociman-tcp docker version --format '{{.Server.Version}}')"
log "podman through the connection: $(CONTAINER_CONNECTION=ociman-ssh podman version --format '{{.Server.Version}}')"

[ "${OCIMAN_REMOTE_SETUP_ONLY:-0}" = 1 ] || OCIMAN_TEST_REMOTE=1 OCIMAN_TEST_BACKENDS=docker,podman npx vitest run --project integration test/remote.test.ts
