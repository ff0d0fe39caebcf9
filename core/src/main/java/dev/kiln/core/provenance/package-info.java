/**
 * Signed provenance: an <a href="https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md">in-toto
 * Statement v1</a> with an <a href="https://slsa.dev/spec/v1.0/provenance">SLSA provenance
 * v1</a> predicate, in a <a href="https://github.com/secure-systems-lab/dsse/blob/master/envelope.md">DSSE
 * envelope</a> signed with Ed25519 (the JDK's EdDSA). {@link dev.kiln.core.provenance.Dsse}
 * signs and verifies, {@link dev.kiln.core.provenance.ProvenanceCheck} checks an envelope and
 * the artifacts it names.
 */
package dev.kiln.core.provenance;
