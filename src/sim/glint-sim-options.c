/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <math.h>
#include <string.h>

#include "glint-sim-private.h"

/* GlintSim's options (sim://chip?key=value&...), one table entry per key. */

static gboolean
parse_double (const char  *key,
              const char  *value,
              gdouble      min,
              gdouble      max,
              gdouble     *out,
              GError     **error)
{
  char *end = NULL;
  gdouble v;

  if (value != NULL)
    v = g_ascii_strtod (value, &end);
  if (value == NULL || end == value || *end != '\0' || isnan (v) || v < min || v > max)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not a number between %g and %g",
                   key, value != NULL ? value : "", min, max);
      return FALSE;
    }

  *out = v;
  return TRUE;
}

static gboolean
parse_uint (const char  *key,
            const char  *value,
            guint64      max,
            guint64     *out,
            GError     **error)
{
  guint64 v;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, max, &v, NULL))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not a whole number up to %" G_GUINT64_FORMAT,
                   key, value != NULL ? value : "", max);
      return FALSE;
    }

  *out = v;
  return TRUE;
}

/* OPCODE[:N] for the one-shot faults: the next N (default 1) commands or
 * answers with that opcode; N = 0 turns the fault off. */
static gboolean
parse_op_count (const char  *key,
                const char  *value,
                guint       *op,
                guint       *count,
                GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (value, ":", 2);
  guint64 u, n = 1;

  if (!parse_uint (key, parts[0], 255, &u, error) ||
      (parts[1] != NULL && !parse_uint (key, parts[1], 1000, &n, error)))
    return FALSE;
  *op = n > 0 ? (guint) u : 0;
  *count = (guint) n;

  return TRUE;
}

static gboolean
parse_bool (const char  *key,
            const char  *value,
            gboolean    *out,
            GError     **error)
{
  static const char *const yes[] = { "on", "true", "yes", "1", NULL };
  static const char *const no[] = { "off", "false", "no", "0", NULL };

  if (value != NULL && g_strv_contains (yes, value))
    *out = TRUE;
  else if (value != NULL && g_strv_contains (no, value))
    *out = FALSE;
  else
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not on or off", key, value != NULL ? value : "");
      return FALSE;
    }

  return TRUE;
}

static gboolean
parse_flash_size (const char  *key,
                  const char  *value,
                  gsize       *out,
                  GError     **error)
{
  static const char *const names[] = { "1M", "2M", "4M", "8M", "16M", NULL };

  for (guint i = 0; value != NULL && names[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (value, names[i]) == 0 ||
          (g_str_has_prefix (value, names[i]) &&
           g_ascii_strcasecmp (value + strlen (names[i]), "B") == 0))
        {
          *out = (gsize) 1024 * 1024 << i;
          return TRUE;
        }
    }

  g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
               "sim option %s: '%s' is not one of 1M, 2M, 4M, 8M, 16M",
               key, value != NULL ? value : "");
  return FALSE;
}

/* A flash address: decimal or 0x-prefixed hex. */
static gboolean
parse_address (const char  *key,
               const char  *value,
               guint32     *out,
               GError     **error)
{
  guint64 v;
  gboolean hex = value != NULL && g_ascii_strncasecmp (value, "0x", 2) == 0;

  if (value == NULL ||
      !g_ascii_string_to_unsigned (hex ? value + 2 : value, hex ? 16 : 10, 0, G_MAXUINT32,
                                   &v, NULL))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: '%s' is not a flash address", key, value != NULL ? value : "");
      return FALSE;
    }

  *out = (guint32) v;
  return TRUE;
}

/* The flash fault options; each stuck-bit, no-erase and write-protect adds
 * one more. */
static gboolean
set_flash_fault (GlintSim    *self,
                 const char  *key,
                 const char  *value,
                 GError     **error)
{
  g_auto(GStrv) parts = NULL;

  if (g_str_equal (key, "stuck-bit"))
    {
      FlashCell cell;
      guint64 bit = 0;

      parts = g_strsplit (value, ":", 2);
      if (!parse_address (key, parts[0], &cell.offset, error) ||
          (parts[1] != NULL && !parse_uint (key, parts[1], 7, &bit, error)))
        return FALSE;
      cell.mask = (guint8) (1 << bit);
      g_array_append_val (self->stuck_bits, cell);
    }
  else if (g_str_equal (key, "no-erase"))
    {
      guint32 offset;

      if (!parse_address (key, value, &offset, error))
        return FALSE;
      g_array_append_val (self->no_erase, offset);
    }
  else if (g_str_equal (key, "write-protect"))
    {
      FlashRange range;

      parts = g_strsplit (value, "-", 2);
      if (!parse_address (key, parts[0], &range.start, error) ||
          !parse_address (key, parts[1], &range.end, error))
        return FALSE;
      if (range.end <= range.start)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option write-protect: '%s' is not START-END", value);
          return FALSE;
        }
      g_array_append_val (self->write_protect, range);
    }
  else if (g_str_equal (key, "real-flash-size"))
    {
      if (!parse_flash_size (key, value, &self->real_flash_size, error))
        return FALSE;
      _glint_sim_cells_fold (self, 0, _glint_sim_real_size (self));
    }
  else
    {
      return parse_double (key, value, 0, 1, &self->unstable_reads, error);
    }

  return TRUE;
}

/**
 * glint_sim_set_option:
 * @self: a #GlintSim
 * @key: an option name
 * @value: (nullable): its value; %NULL means "on"
 * @error: return location for a #GError
 *
 * Sets one option: `latency`, `jitter` (ms), `drop`, `corrupt`,
 * `duplicate` (probability per byte), `disconnect-after`, `brown-out-at`
 * (bytes), `seed`, `time-scale`, `baud-check` (on/off), `max-baud`,
 * `lose-baud-change` (on/off: acknowledge the next CHANGE_BAUDRATE but
 * keep the old rate), `damage-next` (OPCODE[:N], decimal: the next N
 * commands (default 1) with that opcode arrive with a data byte damaged),
 * `rom-xtal-drift` (%, -10 to 10: how far the crystal
 * the ESP32 ROM believes in is off the real 40 MHz; its CHANGE_BAUDRATE
 * sets requested × 40 MHz / believed; by default 3.5 to 5 % either way,
 * from the seed), `boot` (download/normal), `flash` (a path),
 * `flash-size`, `revision` (MAJOR.MINOR in the chip's eFuse; by default a
 * current silicon, e.g. the ESP32's v3.1), `package` (the eFuse package
 * code: ESP32 1 = D0WD), `secure-boot`, `secure-download` (the ROM then
 * refuses all but the commands secure download mode allows),
 * `jtag-disabled` (on/off), `flash-crypt-cnt` (the eFuse counter;
 * flash encryption is on when an odd number of its bits are set),
 * `garble-reply` (OPCODE[:N]: a flipped bit in the value word of the next
 * N answers to that opcode), and flash faults as real chips have them:
 * `stuck-bit` (OFFSET[:BIT]: that bit stays 1), `no-erase` (OFFSET: its
 * sector keeps its content), `write-protect` (START-END: writes and erases
 * there are ignored, silently), `real-flash-size` (1M…: a chip smaller
 * than its JEDEC id says; addresses wrap) and `unstable-reads` (P: each
 * read of the flash gets one bit wrong with that chance).  Addresses are
 * decimal or 0x-prefixed hex; stuck-bit, no-erase and write-protect may be
 * repeated.
 *
 * Returns: %TRUE if the option was valid and applied
 */
gboolean
glint_sim_set_option (GlintSim    *self,
                      const char  *key,
                      const char  *value,
                      GError     **error)
{
  guint64 u;
  gdouble d;

  g_return_val_if_fail (GLINT_IS_SIM (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    value = "on";

  if (g_str_equal (key, "latency") || g_str_equal (key, "jitter"))
    {
      if (!parse_double (key, value, 0, 60000, &d, error))
        return FALSE;
      if (g_str_equal (key, "latency"))
        self->latency_ms = d;
      else
        self->jitter_ms = d;
    }
  else if (g_str_equal (key, "drop") || g_str_equal (key, "corrupt") ||
           g_str_equal (key, "duplicate"))
    {
      if (!parse_double (key, value, 0, 1, &d, error))
        return FALSE;
      if (g_str_equal (key, "drop"))
        self->drop_p = d;
      else if (g_str_equal (key, "corrupt"))
        self->corrupt_p = d;
      else
        self->duplicate_p = d;
    }
  else if (g_str_equal (key, "time-scale"))
    {
      if (!parse_double (key, value, 0, 1000, &self->time_scale, error))
        return FALSE;
    }
  else if (g_str_equal (key, "disconnect-after"))
    {
      if (!parse_uint (key, value, G_MAXUINT64, &self->disconnect_after, error))
        return FALSE;
    }
  else if (g_str_equal (key, "brown-out-at"))
    {
      if (!parse_uint (key, value, G_MAXUINT64, &self->brown_out_at, error))
        return FALSE;
    }
  else if (g_str_equal (key, "seed"))
    {
      if (!parse_uint (key, value, G_MAXUINT32, &u, error))
        return FALSE;
      self->seed = (guint32) u;
      g_rand_set_seed (self->rand, self->seed);
      _glint_sim_init_registers (self);
    }
  else if (g_str_equal (key, "max-baud"))
    {
      if (!parse_uint (key, value, G_MAXUINT, &u, error))
        return FALSE;
      self->max_baud = (guint) u;
    }
  else if (g_str_equal (key, "baud-check"))
    {
      if (!parse_bool (key, value, &self->baud_check, error))
        return FALSE;
    }
  else if (g_str_equal (key, "lose-baud-change"))
    {
      if (!parse_bool (key, value, &self->lose_baud_change, error))
        return FALSE;
    }
  else if (g_str_equal (key, "damage-next"))
    {
      if (!parse_op_count (key, value, &self->damage_op, &self->damage_left, error))
        return FALSE;
    }
  else if (g_str_equal (key, "garble-reply"))
    {
      if (!parse_op_count (key, value, &self->garble_op, &self->garble_left, error))
        return FALSE;
    }
  else if (g_str_equal (key, "rom-xtal-drift"))
    {
      if (!parse_double (key, value, -10, 10, &self->rom_xtal_drift, error))
        return FALSE;
      self->rom_xtal_drift_set = TRUE;
      _glint_sim_init_rom_xtal (self);
    }
  else if (g_str_equal (key, "boot"))
    {
      gboolean download;

      if (g_str_equal (value, "download"))
        download = TRUE;
      else if (g_str_equal (value, "normal"))
        download = FALSE;
      else
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option boot: '%s' is not download or normal", value);
          return FALSE;
        }

      /* Too late for the power-on boot: power-cycle. */
      if (download != self->boot_download && self->powered_on &&
          self->mode != GLINT_SIM_MODE_DEAD)
        {
          gint64 now = g_get_monotonic_time ();

          self->boot_download = download;
          _glint_sim_chip_reset (self, now);
          _glint_sim_schedule_boot (self, now + _glint_sim_strap_delay (self), BOOT_POWER_ON);
        }
      self->boot_download = download;
    }
  else if (g_str_equal (key, "revision"))
    {
      if (!_glint_sim_parse_revision (self, value, &self->revision, error))
        return FALSE;
      _glint_sim_init_registers (self);
    }
  else if (g_str_equal (key, "package"))
    {
      const EfuseLayout *l = _glint_sim_efuse_layout (self);

      if (l == NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option package: the ESP8266 has no package field");
          return FALSE;
        }
      if (!parse_uint (key, value, (1u << l->pkg_width) - 1, &u, error))
        return FALSE;
      self->package = (gint) u;
      _glint_sim_init_registers (self);
    }
  else if (g_str_equal (key, "secure-boot") || g_str_equal (key, "secure-download") ||
           g_str_equal (key, "jtag-disabled"))
    {
      guint32 flag = g_str_equal (key, "secure-boot") ? GLINT_CHIP_SECURE_BOOT :
                     g_str_equal (key, "secure-download") ? GLINT_CHIP_SECURE_DOWNLOAD :
                     GLINT_CHIP_HARD_DIS_JTAG;
      gboolean on;

      if (!parse_bool (key, value, &on, error))
        return FALSE;
      /* the ESP32 keeps these in eFuse alone, and has no secure download
       * mode; the ESP8266 has none of them */
      if (on && (self->chip->rom_is_esp8266 ||
                 (flag == GLINT_CHIP_SECURE_DOWNLOAD && self->chip->security_info_len == 0)))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option %s: %s has no such mode", key, self->chip->name);
          return FALSE;
        }
      self->security_flags = on ? self->security_flags | flag : self->security_flags & ~flag;
      _glint_sim_init_registers (self);
    }
  else if (g_str_equal (key, "flash-crypt-cnt"))
    {
      /* 7 bits on the ESP32, 3 on the later chips */
      if (self->chip->rom_is_esp8266 ||
          !parse_uint (key, value, self->chip->security_info_len == 0 ? 0x7F : 0x7, &u, error))
        {
          if (self->chip->rom_is_esp8266)
            g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                         "sim option %s: the ESP8266 has no flash encryption", key);
          return FALSE;
        }
      self->flash_crypt_cnt = (guint) u;
      _glint_sim_init_registers (self);
    }
  else if (g_str_equal (key, "flash-size"))
    {
      gsize size;

      if (!parse_flash_size (key, value, &size, error))
        return FALSE;
      _glint_sim_resize_flash (self, size);
    }
  else if (g_str_equal (key, "stuck-bit") || g_str_equal (key, "no-erase") ||
           g_str_equal (key, "write-protect") || g_str_equal (key, "real-flash-size") ||
           g_str_equal (key, "unstable-reads"))
    {
      if (!set_flash_fault (self, key, value, error))
        return FALSE;
    }
  else if (g_str_equal (key, "flash"))
    {
      if (*value == '\0')
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "sim option flash: a file name is needed");
          return FALSE;
        }

      if (g_file_test (value, G_FILE_TEST_EXISTS))
        {
          g_autofree char *contents = NULL;
          g_autoptr(GError) local_error = NULL;
          gsize len;

          if (!g_file_get_contents (value, &contents, &len, &local_error))
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                           "sim option flash: %s", local_error->message);
              return FALSE;
            }
          memset (self->flash, 0xFF, self->flash_size);
          memcpy (self->flash, contents, MIN (len, self->flash_size));
          _glint_sim_cells_fold (self, 0, self->flash_size);
        }

      g_free (self->flash_path);
      self->flash_path = g_strdup (value);
    }
  else
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "unknown sim option '%s' (known: latency, jitter, drop, corrupt, duplicate, "
                   "disconnect-after, brown-out-at, seed, time-scale, baud-check, max-baud, "
                   "lose-baud-change, damage-next, rom-xtal-drift, boot, flash, flash-size, "
                   "revision, package, secure-boot, secure-download, jtag-disabled, "
                   "flash-crypt-cnt, garble-reply, stuck-bit, no-erase, write-protect, "
                   "real-flash-size, unstable-reads)", key);
      return FALSE;
    }

  return TRUE;
}

/**
 * glint_sim_set_options:
 * @self: a #GlintSim
 * @query: (nullable): a URL query such as `latency=20&boot=download`
 * @error: return location for a #GError
 *
 * Sets several options; a bare key means "on".  Stops at the first bad one.
 *
 * Returns: %TRUE if all options were applied
 */
gboolean
glint_sim_set_options (GlintSim    *self,
                       const char  *query,
                       GError     **error)
{
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (GLINT_IS_SIM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (query == NULL || *query == '\0')
    return TRUE;
  if (*query == '?')
    query++;

  parts = g_strsplit (query, "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      char *eq;

      if (*parts[i] == '\0')
        continue;

      eq = strchr (parts[i], '=');
      if (eq != NULL)
        {
          *eq = '\0';
          value = g_uri_unescape_string (eq + 1, NULL);
        }
      key = g_uri_unescape_string (parts[i], NULL);

      if (key == NULL || (eq != NULL && value == NULL))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                       "bad escaping in sim option '%s'", parts[i]);
          return FALSE;
        }

      if (!glint_sim_set_option (self, key, value, error))
        return FALSE;
    }

  return TRUE;
}
