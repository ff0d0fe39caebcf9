package dev.kiln.api;

/**
 * Where the operating system comes from: an installer ISO, a vendor cloud image, or a Debian
 * base system bootstrapped from a package mirror. A recipe has exactly one.
 */
public sealed interface Source permits IsoSource, CloudImageSource, DebootstrapSource {}
