# Sourced by ./platform. Puts Node.js 24 first on PATH: the machine's node if it is 24, otherwise
# the binary of the `node` package from the npm registry, installed once into .cache/node.
# shellcheck shell=bash

NODE_MAJOR=24

ensure_node() {
  local root=$1
  if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" = "$NODE_MAJOR" ]; then
    return 0
  fi
  local prefix="$root/.cache/node"
  local bin="$prefix/node_modules/node/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "$NODE_MAJOR" ]; then
    command -v npm >/dev/null 2>&1 || { echo "npm is needed once to fetch Node.js $NODE_MAJOR" >&2; return 1; }
    echo "installing Node.js $NODE_MAJOR from the npm registry into .cache/node (first run only)…"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR" >/dev/null
  fi
  export PATH="$bin:$PATH"
}
