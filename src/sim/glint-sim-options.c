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
                   "sim option %s: “%s” is not a number between %g and %g",
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
                   "sim option %s: “%s” is not a whole number up to %" G_GUINT64_FORMAT,
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
                   "sim option %s: “%s” is not on or off", key, value != NULL ? value : "");
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
  static const char *const names[] = { "1M", "2M", "4M", "8M", "16M", "32M", "64M", "128M",
                                       NULL };

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
               "sim option %s: “%s” is not one of 1M, 2M, 4M, 8M, 16M, 32M, 64M, 128M",
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
                   "sim option %s: “%s” is not a flash address", key, value != NULL ? value : "");
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
                       "sim option write-protect: “%s” is not START-END", value);
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

/* Setters for the options that need more than a number or a switch. */

static gboolean
set_seed (GlintSim    *self,
          const char  *key,
          const char  *value,
          GError     **error)
{
  guint64 u;

  if (!parse_uint (key, value, G_MAXUINT32, &u, error))
    return FALSE;
  self->seed = (guint32) u;
  g_rand_set_seed (self->rand, self->seed);
  _glint_sim_init_registers (self);
  return TRUE;
}

static gboolean
set_max_baud (GlintSim    *self,
              const char  *key,
              const char  *value,
              GError     **error)
{
  guint64 u;

  if (!parse_uint (key, value, G_MAXUINT, &u, error))
    return FALSE;
  self->max_baud = (guint) u;
  return TRUE;
}

static gboolean
set_rom_xtal_drift (GlintSim    *self,
                    const char  *key,
                    const char  *value,
                    GError     **error)
{
  if (!parse_double (key, value, -10, 10, &self->rom_xtal_drift, error))
    return FALSE;
  self->rom_xtal_drift_set = TRUE;
  _glint_sim_init_rom_xtal (self);
  return TRUE;
}

/* The C5 ROM keeps the crystal it expects in PCR_SYSCLK_CONF and divides
 * that one on CHANGE_BAUDRATE, whatever the board carries (40 or 48 MHz). */
static gboolean
set_rom_xtal_expect (GlintSim    *self,
                     const char  *key,
                     const char  *value,
                     GError     **error)
{
  guint64 u;

  if (!parse_uint (key, value, 48, &u, error))
    return FALSE;
  if (self->chip->xtal_freq_reg == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: the %s ROM keeps no crystal it expects (only the ESP32-C5's "
                   "does)", key, self->chip->name);
      return FALSE;
    }
  if (u != 40 && u != 48)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: %s MHz is no crystal the ROM expects (40 or 48)", key, value);
      return FALSE;
    }
  self->rom_xtal_expect = (guint) u;
  _glint_sim_init_rom_xtal (self);
  return TRUE;
}

static gboolean
set_boot (GlintSim    *self,
          const char  *key,
          const char  *value,
          GError     **error)
{
  gboolean download;

  if (g_str_equal (value, "download"))
    download = TRUE;
  else if (g_str_equal (value, "normal"))
    download = FALSE;
  else
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option boot: “%s” is not download or normal", value);
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
  return TRUE;
}

static gboolean
set_revision (GlintSim    *self,
              const char  *key,
              const char  *value,
              GError     **error)
{
  if (!_glint_sim_parse_revision (self, value, &self->revision, error))
    return FALSE;
  _glint_sim_init_registers (self);
  return TRUE;
}

static gboolean
set_package (GlintSim    *self,
             const char  *key,
             const char  *value,
             GError     **error)
{
  const EfuseLayout *l = _glint_sim_efuse_layout (self);
  guint64 u;

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
  return TRUE;
}

static gboolean
set_security_flag (GlintSim    *self,
                   const char  *key,
                   const char  *value,
                   GError     **error)
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
  return TRUE;
}

static gboolean
set_flash_crypt_cnt (GlintSim    *self,
                     const char  *key,
                     const char  *value,
                     GError     **error)
{
  guint64 u;

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
  return TRUE;
}

static gboolean
set_flash_size (GlintSim    *self,
                const char  *key,
                const char  *value,
                GError     **error)
{
  gsize size;

  if (!parse_flash_size (key, value, &size, error))
    return FALSE;
  _glint_sim_resize_flash (self, size);
  return TRUE;
}

static gboolean
set_flash_file (GlintSim    *self,
                const char  *key,
                const char  *value,
                GError     **error)
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
  return TRUE;
}

/* auto: the app speaks Improv Serial when it is the Demo board's own
 * firmware (glint-sim-improv.c); on, off: whatever it is. */
static gboolean
set_improv (GlintSim    *self,
            const char  *key,
            const char  *value,
            GError     **error)
{
  gboolean on;

  if (g_str_equal (value, "auto"))
    {
      self->improv_mode = -1;
      return TRUE;
    }
  if (!parse_bool (key, value, &on, NULL))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "sim option %s: “%s” is not auto, on or off", key, value);
      return FALSE;
    }
  self->improv_mode = on ? 1 : 0;
  return TRUE;
}

typedef enum
{
  OPTION_DOUBLE,     /* a gdouble field in [min, max] */
  OPTION_UINT64,     /* a guint64 field up to G_MAXUINT64 */
  OPTION_BOOL,       /* a gboolean field: on/off, true/false, yes/no, 1/0 */
  OPTION_OP_COUNT,   /* two guint fields: OPCODE[:N] */
  OPTION_CUSTOM,     /* a setter */
} OptionKind;

typedef struct
{
  const char  *key;
  OptionKind   kind;
  gsize        offset;      /* the field in GlintSim; OP_COUNT: the opcode */
  gsize        offset2;     /* OP_COUNT: the count */
  gdouble      min;
  gdouble      max;
  gboolean   (*set)         (GlintSim    *self,
                             const char  *key,
                             const char  *value,
                             GError     **error);
} SimOption;

#define FIELD(f) G_STRUCT_OFFSET (GlintSim, f)

/* In the order the unknown-option error lists them. */
static const SimOption options[] = {
  { "latency", OPTION_DOUBLE, FIELD (latency_ms), 0, 0, 60000, NULL },
  { "jitter", OPTION_DOUBLE, FIELD (jitter_ms), 0, 0, 60000, NULL },
  { "drop", OPTION_DOUBLE, FIELD (drop_p), 0, 0, 1, NULL },
  { "corrupt", OPTION_DOUBLE, FIELD (corrupt_p), 0, 0, 1, NULL },
  { "duplicate", OPTION_DOUBLE, FIELD (duplicate_p), 0, 0, 1, NULL },
  { "disconnect-after", OPTION_UINT64, FIELD (disconnect_after), 0, 0, 0, NULL },
  { "brown-out-at", OPTION_UINT64, FIELD (brown_out_at), 0, 0, 0, NULL },
  { "brown-out-erasing", OPTION_UINT64, FIELD (brown_out_erasing), 0, 0, 0, NULL },
  { "usb-jtag", OPTION_BOOL, FIELD (usb_jtag), 0, 0, 0, NULL },
  { "seed", OPTION_CUSTOM, 0, 0, 0, 0, set_seed },
  { "time-scale", OPTION_DOUBLE, FIELD (time_scale), 0, 0, 1000, NULL },
  { "baud-check", OPTION_BOOL, FIELD (baud_check), 0, 0, 0, NULL },
  { "max-baud", OPTION_CUSTOM, 0, 0, 0, 0, set_max_baud },
  { "lose-baud-change", OPTION_BOOL, FIELD (lose_baud_change), 0, 0, 0, NULL },
  { "damage-next", OPTION_OP_COUNT, FIELD (damage_op), FIELD (damage_left), 0, 0, NULL },
  { "rom-xtal-drift", OPTION_CUSTOM, 0, 0, 0, 0, set_rom_xtal_drift },
  { "rom-xtal-expect", OPTION_CUSTOM, 0, 0, 0, 0, set_rom_xtal_expect },
  { "boot", OPTION_CUSTOM, 0, 0, 0, 0, set_boot },
  { "flash", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_file },
  { "flash-size", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_size },
  { "revision", OPTION_CUSTOM, 0, 0, 0, 0, set_revision },
  { "package", OPTION_CUSTOM, 0, 0, 0, 0, set_package },
  { "secure-boot", OPTION_CUSTOM, 0, 0, 0, 0, set_security_flag },
  { "secure-download", OPTION_CUSTOM, 0, 0, 0, 0, set_security_flag },
  { "jtag-disabled", OPTION_CUSTOM, 0, 0, 0, 0, set_security_flag },
  { "flash-crypt-cnt", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_crypt_cnt },
  { "garble-reply", OPTION_OP_COUNT, FIELD (garble_op), FIELD (garble_left), 0, 0, NULL },
  { "garble-skip", OPTION_UINT64, FIELD (garble_skip), 0, 0, 0, NULL },
  { "lose-reply", OPTION_OP_COUNT, FIELD (lose_op), FIELD (lose_left), 0, 0, NULL },
  { "lose-skip", OPTION_UINT64, FIELD (lose_skip), 0, 0, 0, NULL },
  { "stuck-bit", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_fault },
  { "no-erase", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_fault },
  { "write-protect", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_fault },
  { "real-flash-size", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_fault },
  { "unstable-reads", OPTION_CUSTOM, 0, 0, 0, 0, set_flash_fault },
  { "improv", OPTION_CUSTOM, 0, 0, 0, 0, set_improv },
  { "stub-rx-frames", OPTION_UINT64, FIELD (stub_rx_frames), 0, 0, 0, NULL },
  { "legacy-read", OPTION_BOOL, FIELD (legacy_read), 0, 0, 0, NULL },
  { "legacy-stub", OPTION_BOOL, FIELD (legacy_stub), 0, 0, 0, NULL },
  { "usb-otg", OPTION_BOOL, FIELD (usb_otg), 0, 0, 0, NULL },
};

#undef FIELD

/**
 * glint_sim_set_option:
 * @self: a #GlintSim
 * @key: an option name
 * @value: (nullable): its value; %NULL means "on"
 * @error: return location for a #GError
 *
 * Sets one option: `latency`, `jitter` (ms), `drop`, `corrupt`,
 * `duplicate` (probability per byte), `disconnect-after`, `brown-out-at`
 * (bytes programmed), `brown-out-erasing` (bytes erased by ERASE_REGION,
 * from the first one on), `usb-jtag` (on/off: DTR/RTS reach the chip through
 * its USB-Serial/JTAG controller, which remembers a request for download
 * mode, DTR alone, until the next reset), `seed`, `time-scale`, `baud-check` (on/off), `max-baud`,
 * `lose-baud-change` (on/off: acknowledge the next CHANGE_BAUDRATE but
 * keep the old rate), `damage-next` (OPCODE[:N], decimal: the next N
 * commands (default 1) with that opcode arrive with a data byte damaged),
 * `rom-xtal-drift` (%, -10 to 10: how far the crystal
 * the ESP32 ROM believes in is off the real 40 MHz; its CHANGE_BAUDRATE
 * sets requested × 40 MHz / believed; by default 3.5 to 5 % either way,
 * from the seed), `rom-xtal-expect` (40 or 48: the crystal the ESP32-C5
 * ROM expects, in PCR_SYSCLK_CONF, on its 48 MHz board; its
 * CHANGE_BAUDRATE sets requested × 48 / expected), `boot` (download/normal), `flash` (a path),
 * `flash-size` (1M to 128M), `revision` (MAJOR.MINOR in the chip's eFuse; by default a
 * current silicon, e.g. the ESP32's v3.1), `package` (the eFuse package
 * code: ESP32 1 = D0WD), `secure-boot`, `secure-download` (the ROM then
 * refuses all but the commands secure download mode allows),
 * `jtag-disabled` (on/off), `flash-crypt-cnt` (the eFuse counter;
 * flash encryption is on when an odd number of its bits are set),
 * `garble-reply` (OPCODE[:N]: a flipped bit in the value word of the next
 * N answers to that opcode; `garble-skip` (N) lets that many of its answers
 * pass first), `lose-reply` (OPCODE[:N]: the next N commands
 * with that opcode are carried out, but their answers are lost on the
 * way; `lose-skip` (N) lets that many of its answers pass first), and
 * flash faults as real chips have them:
 * `stuck-bit` (OFFSET[:BIT]: that bit stays 1), `no-erase` (OFFSET: its
 * sector keeps its content), `write-protect` (START-END: writes and erases
 * there are ignored, silently), `real-flash-size` (1M…: a chip smaller
 * than its JEDEC id says; addresses wrap) and `unstable-reads` (P: each
 * read of the flash gets one bit wrong with that chance), and `improv`
 * (auto/on/off: whether the running app answers Improv Serial; auto: when
 * it is the Demo board's firmware, project "glint-demo"), and
 * `stub-rx-frames` (N: frames the flasher stub holds, the one it works on
 * included; one more is lost, as esp-flasher-stub's two receive buffers
 * lose it; default 2, 0: any number), `legacy-stub` (on/off: the stub
 * the host uploads is esptool's legacy one, `1/`, whose receive side
 * never refuses a frame: a second frame waiting replaces the first, which
 * is lost, and is decoded into the buffer of the frame in work, so a data
 * block being written is damaged; stub-rx-frames does not apply; its
 * READ_FLASH as `legacy-read`), `legacy-read` (on/off: READ_FLASH as the
 * legacy stub does it over USB: an acknowledgement sent with the
 * request, that arrives before the answer could have reached the host,
 * is lost and the read never ends; needs a latency) and
 * `usb-otg` (on/off: the host talks to the chip's own USB-OTG CDC, whose
 * buffer takes data blocks of 0x800 bytes at most: a frame with a larger
 * one, to the ROM or the stub, is lost).
 * Addresses are
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
  const SimOption *option = NULL;
  gpointer field;

  g_return_val_if_fail (GLINT_IS_SIM (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value == NULL)
    value = "on";

  for (gsize i = 0; i < G_N_ELEMENTS (options) && option == NULL; i++)
    {
      if (g_str_equal (key, options[i].key))
        option = &options[i];
    }

  if (option == NULL)
    {
      g_autoptr(GString) known = g_string_new (NULL);

      for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
        g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", options[i].key);
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "unknown sim option “%s” (known: %s)", key, known->str);
      return FALSE;
    }

  field = G_STRUCT_MEMBER_P (self, option->offset);
  switch (option->kind)
    {
    case OPTION_DOUBLE:
      return parse_double (key, value, option->min, option->max, field, error);

    case OPTION_UINT64:
      return parse_uint (key, value, G_MAXUINT64, field, error);

    case OPTION_BOOL:
      return parse_bool (key, value, field, error);

    case OPTION_OP_COUNT:
      return parse_op_count (key, value, field, G_STRUCT_MEMBER_P (self, option->offset2),
                             error);

    case OPTION_CUSTOM:
    default:
      return option->set (self, key, value, error);
    }
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
                       "bad escaping in sim option “%s”", parts[i]);
          return FALSE;
        }

      if (!glint_sim_set_option (self, key, value, error))
        return FALSE;
    }

  return TRUE;
}
