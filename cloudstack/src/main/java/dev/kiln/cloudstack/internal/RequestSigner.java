package dev.kiln.cloudstack.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CloudStack's request signature, as the management server checks it: every parameter but
 * {@code signature}, sorted by name as sent (case-sensitive), each value encoded like
 * {@link URLEncoder} with {@code +} turned into {@code %20}, joined as {@code name=value} with
 * {@code &}, the whole string lower-cased, HMAC-SHA1 with the secret key, standard Base64.
 */
public final class RequestSigner {
  private RequestSigner() {}

  /** A value encoded as in the string to sign and on the wire. */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The string that is signed (exposed for tests and for diagnosing signature errors). */
  public static String stringToSign(Map<String, String> params) {
    StringJoiner joined = new StringJoiner("&");
    new TreeMap<>(params).forEach((name, value) -> {
      if (!name.equals("signature")) {
        joined.add(name + "=" + encode(value));
      }
    });
    return joined.toString().toLowerCase(Locale.ROOT);
  }

  public static String sign(Map<String, String> params, String secretKey) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(
          stringToSign(params).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
    }
  }

  /** The form body sent: every value percent-encoded, the signature too. */
  public static String formBody(Map<String, String> params) {
    StringJoiner body = new StringJoiner("&");
    params.forEach((name, value) -> body.add(name + "=" + encode(value)));
    return body.toString();
  }
}
