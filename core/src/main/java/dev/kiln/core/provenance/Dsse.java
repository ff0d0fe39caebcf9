package dev.kiln.core.provenance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.api.KilnException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * DSSE v1 envelopes: {@code {"payloadType", "payload" (base64), "signatures": [{"keyid",
 * "sig"}]}}, where the signature covers the pre-authentication encoding
 * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body} (lengths in ASCII decimal).
 */
public final class Dsse {
  /** The in-toto payload type. */
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Dsse() {}

  /** The bytes a signature covers. */
  public static byte[] pae(String payloadType, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** An envelope of {@code body} signed with {@code key}, as one line of JSON. */
  public static String sign(byte[] body, PrivateKey key) throws KilnException {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(pae(IN_TOTO, body));
      ObjectNode env = JSON.createObjectNode();
      env.put("payloadType", IN_TOTO);
      env.put("payload", Base64.getEncoder().encodeToString(body));
      env.putArray("signatures").addObject()
          .put("keyid", SigningKeys.keyId(SigningKeys.publicOf(key)))
          .put("sig", Base64.getEncoder().encodeToString(s.sign()));
      return env.toString();
    } catch (GeneralSecurityException e) {
      throw new KilnException("signing the provenance failed: " + e.getMessage());
    }
  }

  /**
   * The payload of {@code envelope} when a signature by {@code key} verifies.
   *
   * @throws KilnException naming what is wrong: not an envelope, another payload type, no
   *     signature by this key, a signature that does not verify
   */
  public static byte[] verify(String envelope, PublicKey key) throws KilnException {
    JsonNode env;
    try {
      env = JSON.readTree(envelope);
    } catch (IOException e) {
      throw new KilnException("not a DSSE envelope: not JSON");
    }
    if (!IN_TOTO.equals(env.path("payloadType").asText())) {
      throw new KilnException("not an in-toto envelope: payloadType is '"
          + env.path("payloadType").asText() + "'");
    }
    byte[] body;
    try {
      body = Base64.getDecoder().decode(env.path("payload").asText());
    } catch (IllegalArgumentException e) {
      throw new KilnException("the envelope's payload is not base64");
    }
    String keyId = SigningKeys.keyId(key);
    boolean named = false;
    for (JsonNode sig : env.path("signatures")) {
      if (!sig.path("keyid").asText().isEmpty() && !sig.path("keyid").asText().equals(keyId)) {
        continue;
      }
      named = true;
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(pae(IN_TOTO, body));
        if (s.verify(Base64.getDecoder().decode(sig.path("sig").asText()))) {
          return body;
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        // a malformed signature is one that does not verify
      }
    }
    throw new KilnException(named ? "the provenance's signature does not verify with this key "
        + "(the envelope was changed, or signed by another key)" : "the provenance is not "
        + "signed by this key (key id " + keyId + ")");
  }
}
