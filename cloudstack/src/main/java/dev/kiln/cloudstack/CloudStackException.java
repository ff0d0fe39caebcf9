package dev.kiln.cloudstack;

import dev.kiln.api.PublishException;
import java.util.OptionalInt;

/**
 * CloudStack refused or failed a request. Carries the HTTP status and CloudStack's own
 * {@code errorcode}, {@code cserrorcode} and {@code errortext} (never the request's keys or
 * signature), and whether repeating the request is safe.
 */
public class CloudStackException extends PublishException {
  private static final long serialVersionUID = 1L;

  /** CloudStack error codes (the HTTP status equals {@code errorcode}). */
  public static final int UNAUTHORIZED = 401;
  public static final int PARAM_ERROR = 431;
  public static final int UNSUPPORTED_ACTION = 432;
  public static final int INTERNAL_ERROR = 530;
  public static final int ACCOUNT_ERROR = 531;
  public static final int INSUFFICIENT_CAPACITY = 533;

  private final String command;
  private final int httpStatus;
  private final OptionalInt errorCode;
  private final OptionalInt csErrorCode;
  private final String errorText;
  private final boolean retrySafe;

  public CloudStackException(String command, int httpStatus, OptionalInt errorCode,
      OptionalInt csErrorCode, String errorText, boolean retrySafe, Throwable cause) {
    super(describe(command, httpStatus, errorCode, csErrorCode, errorText), cause);
    this.command = command;
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
    this.csErrorCode = csErrorCode;
    this.errorText = errorText;
    this.retrySafe = retrySafe;
  }

  private static String describe(String command, int status, OptionalInt errorCode,
      OptionalInt csErrorCode, String text) {
    StringBuilder b = new StringBuilder("CloudStack ").append(command).append(" failed");
    if (status > 0) {
      b.append(": HTTP ").append(status);
    }
    errorCode.ifPresent(c -> b.append(", errorcode ").append(c));
    csErrorCode.ifPresent(c -> b.append(", cserrorcode ").append(c));
    if (!text.isEmpty()) {
      b.append(": ").append(text);
    }
    if (status == UNAUTHORIZED) {
      b.append(" (check the API key, the secret key and the host's clock)");
    }
    return b.toString();
  }

  /** The API command, e.g. {@code registerTemplate}. */
  public String command() {
    return command;
  }

  /** The HTTP status, or 0 when no response arrived. */
  public int httpStatus() {
    return httpStatus;
  }

  public OptionalInt errorCode() {
    return errorCode;
  }

  public OptionalInt csErrorCode() {
    return csErrorCode;
  }

  public String errorText() {
    return errorText;
  }

  /** Whether sending the same request again cannot do harm (reads, polls, no response). */
  public boolean isRetrySafe() {
    return retrySafe;
  }
}
