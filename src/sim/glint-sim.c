/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "glint-sim-private.h"

/*
 * GlintSim is a simulated Espressif chip on the far end of a serial wire,
 * faithful enough that esptool could talk to it (facts: docs/protocol.md).
 *
 * It is a discrete-event simulation run against the real monotonic clock:
 * everything that happens (host bytes reaching the chip, chip bytes reaching
 * the host, the strapping pins being sampled, the CPU becoming free) is an
 * Event with a due time in one sorted queue, and a single GSource fires at
 * the earliest due time.  Events are processed "at" their due time, so
 * follow-up timing does not drift with main loop latency.
 *
 * The host's UART adapter is modelled at the chip end of the link: latency
 * applies between the host program and the adapter, wire time between the
 * adapter and the chip.
 */

/* What the simulated ROM says and runs on: the simulator's own model data.
 * Which of a chip's magic values (protocol.md §4) its ROM answers is a
 * choice of revision. The protocol's facts about the chip (ids, registers,
 * offsets, what its ROM supports) come from glint-chip.c. */
typedef struct
{
  const char *name;
  const char *rom_banner;
  guint32     magic;
  guint32     uart_clk_hz;         /* CLKDIV = this / baud */
  guint32     uart_clkdiv_reg;     /* only where glint-chip.c knows none */
  guint32     xtal_freq_reg;       /* where the ROM keeps the crystal it expects */
  gboolean    spi_addr_lsb;        /* SPI_ADDR takes an address in its low bits */
} ChipModel;

/* spi_addr_lsb: esptool's SPI_ADDR_REG_MSB is false for the C3 and the
 * chips that inherit its class, and for the P4. */
static const ChipModel chip_models[] = {
  { "esp8266", "ets Jan  8 2013,rst cause:2, boot mode:(1,7)", 0xFFF0C101, 52000000 },
  { "esp32", "ets Jun  8 2016 00:22:57", 0x00F01D83, 40000000 },
  { "esp32s2", "ESP-ROM:esp32s2-rc4-20191025", 0x000007C6, 40000000 },
  { "esp32s3", "ESP-ROM:esp32s3-20210327", 0x00000009, 40000000 },
  { "esp32c2", "ESP-ROM:esp8684-api2-20220127", 0x6F51306F, 40000000, 0, 0, TRUE },
  { "esp32c3", "ESP-ROM:esp32c3-api1-20210207", 0x6921506F, 40000000, 0, 0, TRUE },
  /* The C5 runs on a 48 MHz crystal (ESP-IDF's clock tree); esptool
   * measures it from the UART divider and reads the one the ROM expects
   * from PCR_SYSCLK_CONF (bits 30..24, MHz). */
  { "esp32c5", "ESP-ROM:esp32c5-eco2-20250121", 0x1101406F, 48000000, 0, 0x60096110, TRUE },
  { "esp32c6", "ESP-ROM:esp32c6-20220919", 0x2CE0806F, 40000000, 0, 0, TRUE },
  { "esp32c61", "ESP-ROM:esp32c61-20240405", 0x33F0206F, 40000000, 0, 0, TRUE },
  { "esp32h2", "ESP-ROM:esp32h2-20221101", 0xD7B73E80, 40000000, 0, 0, TRUE },
  /* The P4 UART_CLKDIV address is not in esptool (unverified): the UART0
   * base of the P4 TRM. */
  { "esp32p4", "ESP-ROM:esp32p4-eco2-20240710", 0x0ADDBAD0, 40000000, 0x500CA014, 0, TRUE },
};

static void
chip_info_init (ChipInfo        *info,
                const ChipModel *model,
                const GlintChip *facts)
{
  info->name = model->name;
  info->rom_banner = model->rom_banner;
  info->magic = model->magic;
  info->uart_clk_hz = model->uart_clk_hz;
  info->xtal_freq_reg = model->xtal_freq_reg;
  info->spi_addr_lsb = model->spi_addr_lsb;
  info->chip_id = MAX (facts->image_chip_id, 0);
  if (!glint_chip_rom_has (facts, GLINT_CHIP_ROM_GET_SECURITY_INFO))
    info->security_info_len = 0;
  else if (glint_chip_rom_has (facts, GLINT_CHIP_ROM_SECURITY_INFO_CHIP_ID))
    info->security_info_len = 20;
  else
    info->security_info_len = 12;
  info->mac_reg = facts->mac_regs[0];
  info->spi_base = facts->spi.base;
  info->usr_offs = facts->spi.usr;
  info->w0_offs = facts->spi.w0;
  info->uart_clkdiv_reg = facts->uart_clkdiv_reg != 0 ? facts->uart_clkdiv_reg
                                                     : model->uart_clkdiv_reg;
  info->bootloader_offset = facts->bootloader_offset;
  info->rom_status_len = facts->rom_status_len;
  info->rom_is_esp8266 = !glint_chip_rom_has (facts, GLINT_CHIP_ROM_FLASH_DEFL);
}

G_DEFINE_FINAL_TYPE (GlintSim, glint_sim, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (GlintSimMode, glint_sim_mode,
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_RESET, "reset"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_APP, "app"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_ROM, "rom"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_STUB, "stub"),
                    G_DEFINE_ENUM_VALUE (GLINT_SIM_MODE_DEAD, "dead"))

enum {
  PROP_0,
  PROP_MODE,
  PROP_BAUD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

guint _glint_sim_signals[N_SIGNALS];

gint64
_glint_sim_scaled (GlintSim *self,
                   gdouble   us)
{
  return (gint64) (us * self->time_scale + 0.5);
}

/* A host sets DTR and RTS with two calls (ClassicReset); at time-scale 0
 * a zero delay would sample IO0 in between, so keep a small real floor. */
gint64
_glint_sim_strap_delay (GlintSim *self)
{
  return MAX (_glint_sim_scaled (self, STRAP_DELAY_US), MIN_STRAP_DELAY_US);
}

gint64
_glint_sim_wire_time (GlintSim *self,
                      gsize     len,
                      guint     baud)
{
  /* 8N1: 10 bits per byte */
  return _glint_sim_scaled (self, (gdouble) len * 10.0 * 1e6 / MAX (baud, 1));
}

void
_glint_sim_set_mode (GlintSim     *self,
                     GlintSimMode  mode)
{
  if (self->mode == mode)
    return;

  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

void
_glint_sim_set_chip_baud (GlintSim *self,
                          guint     baud)
{
  if (self->chip_baud == baud)
    return;

  self->chip_baud = baud;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BAUD]);
}

gboolean
_glint_sim_in_loader (GlintSim *self)
{
  return self->mode == GLINT_SIM_MODE_ROM || self->mode == GLINT_SIM_MODE_STUB;
}

const char *
glint_sim_get_chip_name (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), NULL);

  return self->chip->name;
}

GlintSimMode
glint_sim_get_mode (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), GLINT_SIM_MODE_DEAD);

  return self->mode;
}

/**
 * glint_sim_get_baud:
 * @self: a #GlintSim
 *
 * Returns: the chip's UART rate
 */
guint
glint_sim_get_baud (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->chip_baud;
}

/**
 * glint_sim_get_host_baud:
 * @self: a #GlintSim
 *
 * Returns: the host's UART rate as the chip end currently sees it
 */
guint
glint_sim_get_host_baud (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->host_baud;
}

/**
 * glint_sim_get_lines:
 * @self: a #GlintSim
 *
 * Returns: DTR/RTS as they have reached the chip
 */
GlintLines
glint_sim_get_lines (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->lines;
}

/**
 * glint_sim_counter_get_name:
 *
 * Returns: @counter's name as glint-sim-server's --counters file writes
 *   it, e.g. "frames-lost"
 */
const char *
glint_sim_counter_get_name (GlintSimCounter counter)
{
  static const char *const names[GLINT_SIM_N_COUNTERS] = {
    [GLINT_SIM_COUNTER_BYTES_IN] = "bytes-in",
    [GLINT_SIM_COUNTER_BYTES_OUT] = "bytes-out",
    [GLINT_SIM_COUNTER_FRAMES_IN] = "frames-in",
    [GLINT_SIM_COUNTER_COMMANDS] = "commands",
    [GLINT_SIM_COUNTER_SYNCS] = "syncs",
    [GLINT_SIM_COUNTER_RESETS] = "resets",
    [GLINT_SIM_COUNTER_BAUD_CHANGES] = "baud-changes",
    [GLINT_SIM_COUNTER_LINE_CHANGES] = "line-changes",
    [GLINT_SIM_COUNTER_FLASH_WRITTEN] = "flash-written",
    [GLINT_SIM_COUNTER_SECTORS_ERASED] = "sectors-erased",
    [GLINT_SIM_COUNTER_FLASH_READ] = "flash-read",
    [GLINT_SIM_COUNTER_DROPPED] = "dropped",
    [GLINT_SIM_COUNTER_CORRUPTED] = "corrupted",
    [GLINT_SIM_COUNTER_DUPLICATED] = "duplicated",
    [GLINT_SIM_COUNTER_GARBLED] = "garbled",
    [GLINT_SIM_COUNTER_FRAMES_LOST] = "frames-lost",
  };

  g_return_val_if_fail (counter < GLINT_SIM_N_COUNTERS, NULL);

  return names[counter];
}

guint64
glint_sim_get_counter (GlintSim        *self,
                       GlintSimCounter  counter)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);
  g_return_val_if_fail (counter < GLINT_SIM_N_COUNTERS, 0);

  return self->counters[counter];
}

const guint8 *
glint_sim_get_flash (GlintSim *self,
                     gsize    *size)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), NULL);

  if (size != NULL)
    *size = self->flash_size;

  return self->flash;
}

/**
 * glint_sim_load_flash:
 * @self: a #GlintSim
 * @offset: where to put the data
 * @data: the bytes
 * @len: their number
 *
 * Overwrites flash content directly (no erase needed), e.g. to put an app
 * image in place for a demo.
 */
void
glint_sim_load_flash (GlintSim     *self,
                      gsize         offset,
                      const guint8 *data,
                      gsize         len)
{
  g_return_if_fail (GLINT_IS_SIM (self));
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (offset <= self->flash_size && len <= self->flash_size - offset);

  memcpy (self->flash + offset, data, len);
  _glint_sim_cells_fold (self, offset, len);
}

/**
 * glint_sim_get_mac:
 * @self: a #GlintSim
 *
 * Returns: (array fixed-size=6): the MAC address in the chip's eFuses
 */
const guint8 *
glint_sim_get_mac (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), NULL);

  return self->mac;
}

/**
 * glint_sim_get_rom_xtal_mhz:
 * @self: a #GlintSim
 *
 * Returns: the crystal the ROM believes in: on the ESP32 (option
 *   `rom-xtal-drift`) what its RTCCALICFG1 and eFuse word 4 tell, on the
 *   ESP32-C5 (option `rom-xtal-expect`) the one PCR_SYSCLK_CONF names where
 *   it is not the board's; 0 where the ROM divides the real one
 */
gdouble
glint_sim_get_rom_xtal_mhz (GlintSim *self)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), 0);

  return self->rom_xtal_hz / 1e6;
}

/**
 * glint_sim_save_flash:
 * @self: a #GlintSim
 * @error: return location for a #GError
 *
 * Writes the flash image back to the file given as the `flash` option,
 * atomically.
 *
 * Returns: %TRUE on success
 */
gboolean
glint_sim_save_flash (GlintSim  *self,
                      GError   **error)
{
  g_return_val_if_fail (GLINT_IS_SIM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->flash_path == NULL)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT,
                   "the simulated board has no flash file (option flash=PATH)");
      return FALSE;
    }

  return g_file_set_contents (self->flash_path, (const char *) self->flash,
                              self->flash_size, error);
}

static void
glint_sim_dispose (GObject *object)
{
  GlintSim *self = GLINT_SIM (object);

  self->disposed = TRUE;
  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  g_queue_clear_full (&self->events, (GDestroyNotify) _glint_sim_event_free);
  g_queue_clear_full (&self->pending, (GDestroyNotify) g_bytes_unref);

  G_OBJECT_CLASS (glint_sim_parent_class)->dispose (object);
}

static void
glint_sim_finalize (GObject *object)
{
  GlintSim *self = GLINT_SIM (object);

  _glint_sim_end_sessions (self);
  g_queue_clear_full (&self->events, (GDestroyNotify) _glint_sim_event_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->ram_loaded, g_array_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->rx, glint_slip_decoder_free);
  g_clear_pointer (&self->regs, g_hash_table_unref);
  g_clear_pointer (&self->flash, g_free);
  g_clear_pointer (&self->read_copy, g_free);
  g_clear_pointer (&self->stuck_bits, g_array_unref);
  g_clear_pointer (&self->no_erase, g_array_unref);
  g_clear_pointer (&self->write_protect, g_array_unref);
  g_clear_pointer (&self->flash_path, g_free);
  _glint_sim_improv_free (self);
  g_clear_pointer (&self->app_failure, g_free);
  g_clear_pointer (&self->app_project, g_free);

  G_OBJECT_CLASS (glint_sim_parent_class)->finalize (object);
}

static void
glint_sim_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  GlintSim *self = GLINT_SIM (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_BAUD:
      g_value_set_uint (value, self->chip_baud);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_sim_class_init (GlintSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_sim_dispose;
  object_class->finalize = glint_sim_finalize;
  object_class->get_property = glint_sim_get_property;

  /**
   * GlintSim:mode:
   *
   * What the simulated chip is doing.
   */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       GLINT_TYPE_SIM_MODE, GLINT_SIM_MODE_RESET,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * GlintSim:baud:
   *
   * The chip's UART rate.
   */
  properties[PROP_BAUD] =
    g_param_spec_uint ("baud", NULL, NULL,
                       0, G_MAXUINT, BOOT_BAUD,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GlintSim::output:
   * @self: a #GlintSim
   * @bytes: the bytes
   *
   * Bytes from the chip arrive at the host (after wire time and latency).
   */
  _glint_sim_signals[SIGNAL_OUTPUT] =
    g_signal_new ("output",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * GlintSim::disconnected:
   * @self: a #GlintSim
   *
   * The simulated link died (option `disconnect-after`); the transport
   * should close the connection.
   */
  _glint_sim_signals[SIGNAL_DISCONNECTED] =
    g_signal_new ("disconnected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
glint_sim_init (GlintSim *self)
{
  self->time_scale = 1.0;
  self->ram_loaded = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->baud_check = TRUE;
  self->host_baud = BOOT_BAUD;
  self->chip_baud = BOOT_BAUD;
  self->autobaud = TRUE;
  self->mode = GLINT_SIM_MODE_RESET;
  self->rand = g_rand_new_with_seed (0);
  self->rx = glint_slip_decoder_new (MAX_FRAME);
  self->regs = g_hash_table_new (NULL, NULL);
  self->revision = -1;
  self->package = -1;
  self->flash_size = 4 * 1024 * 1024;
  self->flash = g_malloc (self->flash_size);
  memset (self->flash, 0xFF, self->flash_size);
  self->stuck_bits = g_array_new (FALSE, FALSE, sizeof (FlashCell));
  self->no_erase = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->write_protect = g_array_new (FALSE, FALSE, sizeof (FlashRange));
  g_queue_init (&self->events);
  g_queue_init (&self->pending);
  self->improv_mode = -1;
  self->stub_rx_frames = 2;  /* esp-flasher-stub, protocol.md §9 */
  _glint_sim_improv_reset (self);
}

/**
 * glint_sim_new:
 * @chip: (nullable): a chip name such as "esp32s3"; %NULL for "esp32"
 * @error: return location for a #GError
 *
 * Creates a simulated chip.  Its timers run in the thread-default main
 * context of the caller, and all glint_sim_host_*() calls must come from
 * that thread.  It powers on at the next main loop iteration, so options
 * set right after construction (e.g. `boot=download`) still apply to the
 * power-on boot.
 *
 * Returns: (transfer full): a new #GlintSim, or %NULL for an unknown chip
 */
GlintSim *
glint_sim_new (const char  *chip,
               GError     **error)
{
  g_autoptr(GlintSim) self = NULL;
  const ChipModel *model = NULL;
  const GlintChip *facts;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (chip == NULL)
    chip = "esp32";

  for (guint i = 0; i < G_N_ELEMENTS (chip_models); i++)
    if (g_ascii_strcasecmp (chip_models[i].name, chip) == 0)
      model = &chip_models[i];

  if (model == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < G_N_ELEMENTS (chip_models); i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", chip_models[i].name);
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   "unknown simulated chip “%s” (valid: %s)", chip, names->str);
      return NULL;
    }

  facts = glint_chip_lookup (model->name);
  g_assert (facts != NULL);

  self = g_object_new (GLINT_TYPE_SIM, NULL);
  chip_info_init (&self->chip_info, model, facts);
  self->chip = &self->chip_info;
  _glint_sim_init_registers (self);

  self->context = g_main_context_ref_thread_default ();
  self->source = g_source_new (&_glint_sim_source_funcs, sizeof (GSource));
  g_source_set_static_name (self->source, "glint-sim");
  g_source_set_callback (self->source, _glint_sim_run_events_cb, self, NULL);
  g_source_attach (self->source, self->context);

  _glint_sim_schedule_boot (self, g_get_monotonic_time (), BOOT_POWER_ON);

  return g_steal_pointer (&self);
}
