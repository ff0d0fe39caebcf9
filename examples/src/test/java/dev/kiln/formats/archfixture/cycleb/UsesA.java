package dev.kiln.formats.archfixture.cycleb;

/** The other half of the deliberate cycle. */
public class UsesA {
  public dev.kiln.formats.archfixture.cyclea.UsesB partner() {
    return new dev.kiln.formats.archfixture.cyclea.UsesB();
  }
}
