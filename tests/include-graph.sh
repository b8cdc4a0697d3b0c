#!/bin/sh
# include-graph.sh: prints the module include graph of agent/, hooks/ and
# include/ ("A -> B": a file of module A includes B's header; the adapters
# of hooks/ count as module "hooks"), then checks it: exit 1 on a circle
# (tsort) or on an edge that points down the order agent/README lists.
set -eu
cd "$(dirname "$0")/.."
edges=$(for f in agent/*.c hooks/*.c include/*.h; do
	m=$(basename "$f"); m=${m%.*}
	case $f in hooks/*) m=hooks ;; esac
	sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f" |
	    while read -r h; do [ "$h" = "$m" ] || echo "$m $h"; done
done | sort -u)
echo "$edges" | awk '{ e[$1] = e[$1] " " $2 } END { for (m in e) print m " ->" e[m] }' | sort
if ! out=$(echo "$edges" | tsort 2>&1 >/dev/null) || [ -n "$out" ]; then
	echo "$out" >&2
	echo "include-graph: circle" >&2
	exit 1
fi
order=$(sed -n 's/^  \([a-z]*\)  *.*/\1/p' agent/README)
bad=$(echo "$edges" | awk -v order="$order" '
	BEGIN { n = split(order, o, "\n"); for (i = 1; i <= n; i++) at[o[i]] = i }
	!($1 in at) || !($2 in at) { print "not in agent/README: " ($1 in at ? $2 : $1); next }
	at[$2] >= at[$1] { print $1 " -> " $2 " points down the data flow" }')
if [ -n "$bad" ]; then
	echo "$bad" >&2
	exit 1
fi
echo "include-graph: $(echo "$edges" | wc -l) edges, no circle, in agent/README's order"
