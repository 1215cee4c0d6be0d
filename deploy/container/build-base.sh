#!/bin/sh
# Builds localhost/kvartal-base, a minimal Debian bookworm root filesystem made from Debian packages
# with debootstrap and imported as an image: the base the Containerfile builds on where no image
# registry is reachable. Run as root (debootstrap needs it), with debootstrap and podman (or buildah)
# installed:  sudo apt-get install debootstrap podman && sudo deploy/container/build-base.sh
# DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR choose the mirrors; BASE_TAG the image name.
set -eu
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
tag=${BASE_TAG:-localhost/kvartal-base}
arch=$(dpkg --print-architecture)

root=$(mktemp -d /var/tmp/kvartal-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT

# minbase: essential packages and apt only (no init, no systemd); ca-certificates for npm over TLS
debootstrap --variant=minbase --arch="$arch" --include=ca-certificates "$suite" "$root" "$mirror"

cat > "$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
# no documentation, manual pages or translations in later installs (as Debian's -slim image)
cat > "$root/etc/dpkg/dpkg.cfg.d/kvartal-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/info/*
SLIM
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$root/etc/apt/apt.conf.d/99kvartal"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
       "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/*

if command -v podman >/dev/null; then
  tar --numeric-owner -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$tag"
elif command -v buildah >/dev/null; then
  c=$(buildah from scratch)
  buildah copy "$c" "$root" /
  buildah config --cmd /bin/bash --env LANG=C.UTF-8 "$c"
  buildah commit --rm "$c" "$tag"
else
  echo "build-base.sh: neither podman nor buildah is installed" >&2; exit 1
fi
echo "built $tag"
