package dev.kiln.templates.internal;

/**
 * A POSIX shell script that creates the recipe's users in the installed system, with their
 * password hashes, SSH keys, groups and sudo rules, and sets or locks root's password. Used
 * where the installer cannot express all of it (several users, keys, sudo). Every value is
 * single-quoted ({@link Shell#quote}).
 */
public final class UserSetupScript {
  private UserSetupScript() {}

  public static String render(AnswerValues a) {
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/sh\n# Kiln: users, SSH keys and sudo rules of the template\nset -eu\n");
    for (AnswerValues.User u : a.users()) {
      String name = Shell.quote(u.name());
      s.append("\n# user ").append(u.name()).append('\n');
      s.append("id ").append(name).append(" >/dev/null 2>&1 || useradd -m -s /bin/bash ")
          .append(name).append('\n');
      u.passwordHash().ifPresent(h -> s.append("usermod -p ").append(Shell.quote(h)).append(' ')
          .append(name).append('\n'));
      for (String g : u.groups()) {
        s.append("getent group ").append(Shell.quote(g)).append(" >/dev/null || groupadd ")
            .append(Shell.quote(g)).append('\n');
        s.append("usermod -a -G ").append(Shell.quote(g)).append(' ').append(name).append('\n');
      }
      if (!u.sshKeys().isEmpty()) {
        s.append("home=$(getent passwd ").append(name).append(" | cut -d: -f6)\n");
        s.append("install -d -m 700 \"$home/.ssh\"\n");
        s.append("printf '%s\\n'");
        for (String k : u.sshKeys()) {
          s.append(' ').append(Shell.quote(k));
        }
        s.append(" > \"$home/.ssh/authorized_keys\"\n");
        s.append("chmod 600 \"$home/.ssh/authorized_keys\"\n");
        s.append("chown -R ").append(name).append(": \"$home/.ssh\"\n");
      }
      if (u.sudo()) {
        String file = "/etc/sudoers.d/90-kiln-" + u.name();
        s.append("mkdir -p /etc/sudoers.d\n");
        s.append("printf '%s\\n' ").append(Shell.quote(u.name() + " ALL=(ALL) NOPASSWD:ALL"))
            .append(" > ").append(Shell.quote(file)).append('\n');
        s.append("chmod 440 ").append(Shell.quote(file)).append('\n');
      }
    }
    s.append("\n# root\n");
    if (a.rootPasswordHash().isPresent()) {
      s.append("usermod -p ").append(Shell.quote(a.rootPasswordHash().get())).append(" root\n");
    } else {
      s.append("passwd -l root >/dev/null\n");
    }
    return s.toString();
  }
}
