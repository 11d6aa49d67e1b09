# Sourced by the provisioning and slice scripts (which define `log`): Debian packages, installed
# only when missing, so that a second run is quick and needs no mirror.

# ensure_debian_packages PACKAGE...: installs those not installed yet (one apt-get for all).
ensure_debian_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "Debian packages already installed: $*"
    return
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
