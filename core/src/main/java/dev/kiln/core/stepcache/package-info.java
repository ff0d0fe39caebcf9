/**
 * The step cache of incremental rebuilds: a qcow2 layer per provisioning step, keyed by the
 * digest of everything before it (qcow2 backing files: qemu docs/interop/qcow2.rst), listed and
 * pruned by {@code kiln cache}.
 */
package dev.kiln.core.stepcache;
