package dev.kiln.formats.archfixture.cyclea;

/** A deliberate package cycle: this package uses cycleb, which uses this one back. */
public class UsesB {
  public dev.kiln.formats.archfixture.cycleb.UsesA partner() {
    return new dev.kiln.formats.archfixture.cycleb.UsesA();
  }
}
