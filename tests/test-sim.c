/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "glint-chip.h"
#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-image.h"
#include "glint-sim.h"
#include "glint-slip.h"
#include "glint-test-utils.h"

#define OP_FLASH_BEGIN       0x02
#define OP_FLASH_DATA        0x03
#define OP_FLASH_END         0x04
#define OP_MEM_BEGIN         0x05
#define OP_MEM_END           0x06
#define OP_MEM_DATA          0x07
#define OP_SYNC              0x08
#define OP_WRITE_REG         0x09
#define OP_READ_REG          0x0A
#define OP_SPI_ATTACH        0x0D
#define OP_READ_FLASH_SLOW   0x0E
#define OP_CHANGE_BAUDRATE   0x0F
#define OP_FLASH_DEFL_BEGIN  0x10
#define OP_FLASH_DEFL_DATA   0x11
#define OP_FLASH_DEFL_END    0x12
#define OP_SPI_FLASH_MD5     0x13
#define OP_GET_SECURITY_INFO 0x14
#define OP_ERASE_FLASH       0xD0
#define OP_ERASE_REGION      0xD1
#define OP_READ_FLASH        0xD2

#define WAIT_MS 5000

typedef struct
{
  GlintSim         *sim;
  GlintSlipDecoder *dec;
  GQueue            frames;      /* GBytes */
  GByteArray       *text;        /* bytes outside frames */
  guint64           output_bytes;
  gboolean          disconnected;
  gboolean          expired;
} Fixture;


/* Own helpers instead of glint-test-utils: keeps this test independent of
 * the stream layer. */
static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, flag_cb, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_output_cb (const guint8 *frame,
              gsize         len,
              gpointer      user_data)
{
  Fixture *f = user_data;

  g_queue_push_tail (&f->frames, g_bytes_new (frame, len));
}

static void
on_sim_output_cb (GlintSim *sim,
                  GBytes   *bytes,
                  Fixture  *f)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GBytes) text = NULL;

  f->output_bytes += len;
  glint_slip_decoder_feed (f->dec, data, len, on_output_cb, f);
  text = glint_slip_decoder_take_text (f->dec);
  g_byte_array_append (f->text, g_bytes_get_data (text, NULL), g_bytes_get_size (text));
}

static void
on_sim_disconnected_cb (GlintSim *sim,
                        Fixture  *f)
{
  f->disconnected = TRUE;
}

static Fixture *
fixture_new (const char *chip,
             const char *options)
{
  g_autoptr(GError) error = NULL;
  Fixture *f = g_new0 (Fixture, 1);

  f->sim = glint_sim_new (chip, &error);
  g_assert_no_error (error);
  glint_sim_set_options (f->sim, options, &error);
  g_assert_no_error (error);
  f->dec = glint_slip_decoder_new (0);
  f->text = g_byte_array_new ();
  g_queue_init (&f->frames);
  g_signal_connect (f->sim, "output", G_CALLBACK (on_sim_output_cb), f);
  g_signal_connect (f->sim, "disconnected", G_CALLBACK (on_sim_disconnected_cb), f);

  return f;
}

static void
fixture_free (Fixture *f)
{
  g_clear_object (&f->sim);
  g_clear_pointer (&f->dec, glint_slip_decoder_free);
  g_clear_pointer (&f->text, g_byte_array_unref);
  g_queue_clear_full (&f->frames, (GDestroyNotify) g_bytes_unref);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

static gboolean
expire_cb (gpointer user_data)
{
  Fixture *f = user_data;

  f->expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until there is a frame or timeout_ms passed; FALSE on timeout. */
static gboolean
wait_frames (Fixture *f,
             guint    count,
             guint    timeout_ms)
{
  guint id;

  f->expired = FALSE;
  id = g_timeout_add (timeout_ms, expire_cb, f);
  while (f->frames.length < count && !f->expired)
    g_main_context_iteration (NULL, TRUE);
  if (!f->expired)
    g_source_remove (id);

  return f->frames.length >= count;
}

static void
wait_flag (Fixture  *f,
           gboolean *flag,
           guint     timeout_ms)
{
  guint id;

  f->expired = FALSE;
  id = g_timeout_add (timeout_ms, expire_cb, f);
  while (!*flag && !f->expired)
    g_main_context_iteration (NULL, TRUE);
  if (!f->expired)
    g_source_remove (id);
  g_assert_true (*flag);
}

static GBytes *
next_frame (Fixture *f)
{
  if (!wait_frames (f, 1, WAIT_MS))
    g_error ("no frame from the simulator within %u ms", WAIT_MS);

  return g_queue_pop_head (&f->frames);
}

static void
drop_frames (Fixture *f)
{
  g_queue_clear_full (&f->frames, (GDestroyNotify) g_bytes_unref);
  g_byte_array_set_size (f->text, 0);
}

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >> 24) & 0xFF };

  g_byte_array_append (a, b, 4);
}

static void
send_cmd (Fixture      *f,
          guint8        op,
          const guint8 *data,
          gsize         len,
          guint32       checksum)
{
  g_autoptr(GByteArray) pkt = g_byte_array_new ();
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  guint8 hdr[4] = { 0x00, op, len & 0xFF, (len >> 8) & 0xFF };

  g_byte_array_append (pkt, hdr, 4);
  put_u32 (pkt, checksum);
  if (len > 0)
    g_byte_array_append (pkt, data, len);
  glint_slip_encode (pkt->data, pkt->len, wire);
  glint_sim_host_write (f->sim, wire->data, wire->len);
}

/* Waits for the response to op, skipping other frames. */
static GBytes *
wait_response (Fixture *f,
               guint8   op)
{
  for (;;)
    {
      g_autoptr(GBytes) frame = next_frame (f);
      gsize len;
      const guint8 *p = g_bytes_get_data (frame, &len);

      if (len >= 8 && p[0] == 0x01 && p[1] == op)
        return g_steal_pointer (&frame);
    }
}

typedef struct
{
  guint32  value;
  guint8  *data;        /* payload before status */
  gsize    data_len;
  guint8   status[4];
  gsize    status_len;
} Response;

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

/* Sends a command and parses its answer; status_len is 2 or 4. */
static void
command (Fixture      *f,
         guint8        op,
         const guint8 *data,
         gsize         len,
         guint32       checksum,
         gsize         status_len,
         Response     *r)
{
  g_autoptr(GBytes) frame = NULL;
  const guint8 *p;
  gsize flen;
  gsize size;

  send_cmd (f, op, data, len, checksum);
  frame = wait_response (f, op);
  p = g_bytes_get_data (frame, &flen);
  size = p[2] | (p[3] << 8);
  g_assert_cmpuint (size, ==, flen - 8);
  g_assert_cmpuint (size, >=, status_len);
  r->value = get_u32 (p + 4);
  r->data_len = size - status_len;
  r->data = g_memdup2 (p + 8, r->data_len);
  r->status_len = status_len;
  memcpy (r->status, p + 8 + r->data_len, status_len);
}

static void
assert_ok (Response *r)
{
  for (gsize i = 0; i < r->status_len; i++)
    g_assert_cmpint (r->status[i], ==, 0);
}


static guint32
read_reg (Fixture *f,
          guint32  addr,
          gsize    status_len)
{
  g_autoptr(GByteArray) d = g_byte_array_new ();
  g_auto(Response) r = { 0, };

  put_u32 (d, addr);
  command (f, OP_READ_REG, d->data, d->len, 0, status_len, &r);
  assert_ok (&r);

  return r.value;
}

/* A ROM's answer to a command it does not know: "invalid message" (1, 5)
 * under the opcode of the command it answered last, not the one sent, and
 * eight times (esptool's command(): UnsupportedCommandError, and it drains
 * the repeats; protocol.md §1.4). The value word is the last one the ROM
 * answered with too. Reads a register first so that both are known. */
static void
assert_unsupported (Fixture      *f,
                    guint8        op,
                    const guint8 *data,
                    gsize         len,
                    gsize         status_len)
{
  guint32 magic;

  magic = read_reg (f, 0x40001000, status_len);
  drop_frames (f);
  send_cmd (f, op, data, len, 0);
  g_assert_true (wait_frames (f, 8, WAIT_MS));
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(GBytes) frame = next_frame (f);
      gsize flen;
      const guint8 *p = g_bytes_get_data (frame, &flen);

      g_assert_cmpuint (flen, ==, 8 + status_len);
      g_assert_cmphex (p[0], ==, 0x01);
      g_assert_cmphex (p[1], ==, OP_READ_REG);
      g_assert_cmphex (get_u32 (p + 4), ==, magic);
      g_assert_cmphex (p[8], ==, 1);
      g_assert_cmphex (p[9], ==, 0x05);
    }
}

static void
write_reg (Fixture *f,
           guint32  addr,
           guint32  value,
           gsize    status_len)
{
  g_autoptr(GByteArray) d = g_byte_array_new ();
  g_auto(Response) r = { 0, };

  put_u32 (d, addr);
  put_u32 (d, value);
  put_u32 (d, 0xFFFFFFFF);
  put_u32 (d, 0);
  command (f, OP_WRITE_REG, d->data, d->len, 0, status_len, &r);
  assert_ok (&r);
}

static const guint8 sync_data[36] = {
  0x07, 0x07, 0x12, 0x20,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
};

/* SYNC and check the 8 answers. */
static void
do_sync (Fixture *f,
         guint32  value,
         gsize    status_len)
{
  send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  for (guint i = 0; i < 8; i++)
    {
      g_autoptr(GBytes) frame = wait_response (f, OP_SYNC);
      gsize len;
      const guint8 *p = g_bytes_get_data (frame, &len);

      g_assert_cmpuint (len, ==, 8 + status_len);
      g_assert_cmpuint (p[2] | (p[3] << 8), ==, status_len);
      g_assert_cmphex (get_u32 (p + 4), ==, value);
      for (gsize j = 0; j < status_len; j++)
        g_assert_cmpint (p[8 + j], ==, 0);
    }
}

static guint8
data_checksum (const guint8 *data,
               gsize         len)
{
  guint8 ck = 0xEF;

  for (gsize i = 0; i < len; i++)
    ck ^= data[i];

  return ck;
}

/* Sends a _DATA command: 16-byte sub-header + payload. */
static void
data_cmd (Fixture      *f,
          guint8        op,
          guint32       seq,
          const guint8 *payload,
          gsize         len,
          gsize         status_len,
          Response     *r)
{
  g_autoptr(GByteArray) d = g_byte_array_new ();

  put_u32 (d, len);
  put_u32 (d, seq);
  put_u32 (d, 0);
  put_u32 (d, 0);
  g_byte_array_append (d, payload, len);
  command (f, op, d->data, d->len, data_checksum (payload, len), status_len, r);
}

static void
begin_cmd (Fixture *f,
           guint8   op,
           guint32  w0,
           guint32  w1,
           guint32  w2,
           guint32  w3,
           gsize    status_len)
{
  g_autoptr(GByteArray) d = g_byte_array_new ();
  g_auto(Response) r = { 0, };

  put_u32 (d, w0);
  put_u32 (d, w1);
  put_u32 (d, w2);
  put_u32 (d, w3);
  command (f, op, d->data, d->len, 0, status_len, &r);
  assert_ok (&r);
}

/* Uploads a fake stub; returns with the stub running. */
static void
run_stub (Fixture *f)
{
  guint8 blob[100];
  g_auto(Response) r = { 0, };
  g_autoptr(GBytes) ohai = NULL;
  g_autoptr(GByteArray) end = g_byte_array_new ();

  guint32 text_start, data_start;
  gsize status_len = g_str_equal (glint_sim_get_chip_name (f->sim), "esp8266") ? 2 : 4;

  /* where the chip's real stub loads: the simulator checks it is RAM, and
   * that the entry point is in what was loaded */
  glint_test_stub_area (glint_sim_get_chip_name (f->sim), &text_start, &data_start);
  memset (blob, 0x5A, sizeof blob);
  begin_cmd (f, OP_MEM_BEGIN, sizeof blob, 1, 0x1800, text_start, status_len);
  data_cmd (f, OP_MEM_DATA, 0, blob, sizeof blob, status_len, &r);
  assert_ok (&r);

  put_u32 (end, 0);
  put_u32 (end, text_start + 4);
  send_cmd (f, OP_MEM_END, end->data, end->len, 0);
  {
    g_autoptr(GBytes) reply = next_frame (f);
    const guint8 *p = g_bytes_get_data (reply, NULL);

    g_assert_cmpint (p[1], ==, OP_MEM_END);
  }
  ohai = next_frame (f);
  g_assert_cmpmem (g_bytes_get_data (ohai, NULL), g_bytes_get_size (ohai), "OHAI", 4);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_STUB);
}

static Fixture *
rom_fixture (const char *chip,
             const char *extra)
{
  g_autofree char *options = g_strdup_printf ("boot=download&time-scale=0%s%s",
                                              extra != NULL ? "&" : "",
                                              extra != NULL ? extra : "");

  return fixture_new (chip, options);
}

/* ------------------------------------------------------------------ */

static void
test_sync_esp32 (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);

  do_sync (f, 0x20120707, 4);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SYNCS), ==, 1);
  /* the boot log came first */
  g_assert_nonnull (g_strstr_len ((const char *) f->text->data, f->text->len,
                                  "waiting for download"));
}

static void
test_sync_esp8266 (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp8266", NULL);

  do_sync (f, 0x20120707, 2);
}

static void
test_magic (void)
{
  static const struct { const char *chip; guint32 magic; gsize status; } cases[] = {
    { "esp32", 0x00F01D83, 4 },
    { "esp8266", 0xFFF0C101, 2 },
    { "esp32s2", 0x000007C6, 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Fixture) f = rom_fixture (cases[i].chip, NULL);

      g_assert_cmpstr (glint_sim_get_chip_name (f->sim), ==, cases[i].chip);
      g_assert_cmphex (read_reg (f, 0x40001000, cases[i].status), ==, cases[i].magic);
      /* unknown registers read 0 and accept writes */
      g_assert_cmphex (read_reg (f, 0x3FF00000, cases[i].status), ==, 0);
      write_reg (f, 0x3FF00000, 0x1234, cases[i].status);
      g_assert_cmphex (read_reg (f, 0x3FF00000, cases[i].status), ==, 0x1234);
    }
}

static void
test_security_info (void)
{
  static const struct { const char *chip; guint32 id; } cases[] = {
    { "esp32s3", 9 }, { "esp32c3", 5 }, { "esp32c6", 13 }, { "esp32p4", 18 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Fixture) f = rom_fixture (cases[i].chip, NULL);
      g_auto(Response) r = { 0, };

      command (f, OP_GET_SECURITY_INFO, NULL, 0, 0, 4, &r);
      assert_ok (&r);
      g_assert_cmpuint (r.data_len, ==, 20);
      g_assert_cmpuint (get_u32 (r.data + 12), ==, cases[i].id);
    }

  {
    g_autoptr(Fixture) f = rom_fixture ("esp32s2", NULL);
    g_auto(Response) r = { 0, };

    command (f, OP_GET_SECURITY_INFO, NULL, 0, 0, 4, &r);
    assert_ok (&r);
    g_assert_cmpuint (r.data_len, ==, 12);
  }

  /* The ESP32 and ESP8266 ROMs do not have it: they answer as to any
   * command they do not know (see test_unknown_opcode). */
  for (guint i = 0; i < 2; i++)
    {
      const char *chip = i == 0 ? "esp32" : "esp8266";
      g_autoptr(Fixture) f = rom_fixture (chip, NULL);

      assert_unsupported (f, OP_GET_SECURITY_INFO, NULL, 0, i == 0 ? 4 : 2);
    }
}

/* The eFuse words the chip table decodes, read as any client would */
static void
read_ident (Fixture        *f,
            const char     *chip_name,
            GlintChipIdent *ident)
{
  const GlintChip *chip = glint_chip_lookup (chip_name);
  guint32 words[GLINT_CHIP_MAX_EFUSE_REGS];
  const guint32 *regs;
  guint n;

  regs = glint_chip_get_efuse_registers (chip, &n);
  for (guint i = 0; i < n; i++)
    words[i] = read_reg (f, regs[i], chip->rom_status_len);
  glint_chip_decode_ident (chip, words, ident);
}

static void
test_efuse_ident (void)
{
  /* the defaults: a current silicon of each chip (esptool prints the same,
   * see tools/conformance) */
  static const struct { const char *chip; const char *package; gint revision; } cases[] = {
    { "esp8266", "ESP8266EX", GLINT_CHIP_NO_REVISION },
    { "esp32", "ESP32-D0WD-V3", 301 }, { "esp32s2", "ESP32-S2", 100 },
    { "esp32s3", "ESP32-S3 (QFN56)", 2 }, { "esp32c2", "ESP32-C2", 101 },
    { "esp32c3", "ESP32-C3 (QFN32)", 4 }, { "esp32c5", "ESP32-C5", 100 },
    { "esp32c6", "ESP32-C6 (QFN40)", 2 }, { "esp32c61", "ESP32-C61", 100 },
    { "esp32h2", "ESP32-H2", 1 }, { "esp32p4", "ESP32-P4", 301 },
  };
  /* and what the options make of them */
  static const struct
  {
    const char *chip, *options, *package;
    gint        revision;
  } options[] = {
    { "esp32", "revision=1.0", "ESP32-D0WD", 100 },
    { "esp32", "revision=v2.0&package=5", "ESP32-PICO-D4", 200 },
    { "esp32", "revision=3.0&package=5", "ESP32-PICO-V3", 300 },
    { "esp32s3", "revision=0.1&package=1", "ESP32-S3-PICO-1 (LGA56)", 1 },
    { "esp32c3", "revision=1.1", "ESP32-C3 (QFN32)", 101 },
    { "esp32c3", "revision=0.9", "ESP32-C3 (QFN32)", 9 },
    { "esp32c2", "revision=1.0&package=1", "ESP8684H", 100 },
    { "esp32s2", "revision=0.0&package=2", "ESP32-S2FH4", 0 },
    { "esp32p4", "revision=1.3", "ESP32-P4", 103 },
    { "esp32p4", "revision=5.0", "ESP32-P4", 500 },
  };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const GlintChip *chip = glint_chip_lookup (cases[i].chip);
      g_autoptr(Fixture) f = rom_fixture (cases[i].chip, NULL);
      guint8 mac[6];
      guint32 mac_words[GLINT_CHIP_MAX_MAC_REGS];
      const guint32 *mac_regs;
      GlintChipIdent ident;
      guint n;

      read_ident (f, cases[i].chip, &ident);
      g_assert_cmpstr (ident.package, ==, cases[i].package);
      g_assert_cmpint (ident.revision, ==, cases[i].revision);

      /* the revision bits share words with the MAC on some chips */
      mac_regs = glint_chip_get_mac_registers (chip, &n);
      for (guint j = 0; j < n; j++)
        mac_words[j] = read_reg (f, mac_regs[j], chip->rom_status_len);
      g_assert_true (glint_chip_decode_mac (chip, mac_words, mac, NULL));
      g_assert_cmphex (mac[0], ==, 0x24);
    }

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      g_autoptr(Fixture) f = rom_fixture (options[i].chip, options[i].options);
      GlintChipIdent ident;

      read_ident (f, options[i].chip, &ident);
      g_assert_cmpstr (ident.package, ==, options[i].package);
      g_assert_cmpint (ident.revision, ==, options[i].revision);
    }

  {
    g_autoptr(GlintSim) sim = glint_sim_new ("esp32", NULL);

    /* the ESP32 has two minor bits and three major ones */
    g_assert_false (glint_sim_set_option (sim, "revision", "3.4", &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (glint_sim_set_option (sim, "revision", "4.0", &error));
    g_clear_error (&error);
    g_assert_false (glint_sim_set_option (sim, "revision", "three", &error));
    g_clear_error (&error);
    g_assert_false (glint_sim_set_option (sim, "secure-download", "on", &error));
    g_clear_error (&error);
  }
  {
    g_autoptr(GlintSim) sim = glint_sim_new ("esp8266", NULL);

    g_assert_false (glint_sim_set_option (sim, "revision", "1.0", &error));
    g_clear_error (&error);
    g_assert_false (glint_sim_set_option (sim, "flash-crypt-cnt", "1", &error));
    g_clear_error (&error);
  }
}

static void
test_efuse_security_esp32 (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", "secure-boot=on&jtag-disabled=on&"
                                      "flash-crypt-cnt=1");
  GlintChipIdent ident;

  read_ident (f, "esp32", &ident);
  g_assert_cmpint (ident.revision, ==, 301);
  g_assert_true (glint_chip_flash_encrypted (ident.flash_crypt_cnt));
  g_assert_cmphex (ident.security, ==, GLINT_CHIP_SECURE_BOOT | GLINT_CHIP_HARD_DIS_JTAG);
}

/* GET_SECURITY_INFO carries the flags and the counter; in secure download
 * mode the ROM takes only the commands protocol.md §2 lists and answers
 * the others as commands it does not know, under the last opcode. */
static void
test_secure_download (void)
{
  static const guint8 refused[] = {
    OP_READ_REG, OP_WRITE_REG, OP_MEM_BEGIN, OP_SPI_FLASH_MD5, OP_FLASH_DEFL_BEGIN,
    OP_READ_FLASH_SLOW,
  };
  g_autoptr(Fixture) f = rom_fixture ("esp32s3", "secure-download=on&secure-boot=on&"
                                      "flash-crypt-cnt=3");
  guint8 attach[8] = { 0, };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      guint8 body[16] = { 0, };
      g_auto(Response) r = { 0, };

      command (f, OP_GET_SECURITY_INFO, NULL, 0, 0, 4, &r);
      assert_ok (&r);
      g_assert_cmpuint (r.data_len, ==, 20);
      g_assert_cmphex (get_u32 (r.data), ==, 0x5);   /* SECURE_BOOT_EN | SECURE_DOWNLOAD */
      g_assert_cmpuint (r.data[4], ==, 3);
      g_assert_cmpuint (get_u32 (r.data + 12), ==, 9);

      drop_frames (f);
      send_cmd (f, refused[i], body, refused[i] == OP_READ_REG ? 4 : 16, 0);
      g_assert_true (wait_frames (f, 8, WAIT_MS));
      for (guint j = 0; j < 8; j++)
        {
          g_autoptr(GBytes) frame = next_frame (f);
          const guint8 *p = g_bytes_get_data (frame, NULL);

          g_assert_cmphex (p[1], ==, OP_GET_SECURITY_INFO);
          g_assert_cmphex (p[8], ==, 1);
          g_assert_cmphex (p[9], ==, 0x05);
        }
    }

  {
    g_auto(Response) r = { 0, };

    command (f, OP_SPI_ATTACH, attach, sizeof attach, 0, 4, &r);
    assert_ok (&r);
  }
}

static void
test_mac (void)
{
  guint8 mac[6];

  {
    g_autoptr(Fixture) f = rom_fixture ("esp32", "seed=7");
    guint32 w1 = read_reg (f, 0x3FF5A004, 4);
    guint32 w2 = read_reg (f, 0x3FF5A008, 4);

    mac[0] = (w2 >> 8) & 0xFF;
    mac[1] = w2 & 0xFF;
    mac[2] = w1 >> 24;
    mac[3] = (w1 >> 16) & 0xFF;
    mac[4] = (w1 >> 8) & 0xFF;
    mac[5] = w1 & 0xFF;
    g_assert_cmpmem (mac, 6, glint_sim_get_mac (f->sim), 6);
    g_assert_cmpint (mac[0], ==, 0x24);
  }

  {
    g_autoptr(Fixture) f = rom_fixture ("esp32c3", "seed=8");
    guint32 mac0 = read_reg (f, 0x60008844, 4);
    guint32 mac1 = read_reg (f, 0x60008848, 4);

    mac[0] = (mac1 >> 8) & 0xFF;
    mac[1] = mac1 & 0xFF;
    mac[2] = mac0 >> 24;
    mac[3] = (mac0 >> 16) & 0xFF;
    mac[4] = (mac0 >> 8) & 0xFF;
    mac[5] = mac0 & 0xFF;
    g_assert_cmpmem (mac, 6, glint_sim_get_mac (f->sim), 6);
  }

  {
    g_autoptr(Fixture) f = rom_fixture ("esp8266", NULL);
    guint32 mac0 = read_reg (f, 0x3FF00050, 2);
    guint32 mac1 = read_reg (f, 0x3FF00054, 2);
    guint32 mac3 = read_reg (f, 0x3FF0005C, 2);

    mac[0] = (mac3 >> 16) & 0xFF;
    mac[1] = (mac3 >> 8) & 0xFF;
    mac[2] = mac3 & 0xFF;
    mac[3] = (mac1 >> 8) & 0xFF;
    mac[4] = mac1 & 0xFF;
    mac[5] = (mac0 >> 24) & 0xFF;
    g_assert_cmpmem (mac, 6, glint_sim_get_mac (f->sim), 6);
  }
}

static void
test_uart_clkdiv (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);

  /* esptool: xtal = baud * div / 1e6 -> 40 MHz */
  g_assert_cmpuint (read_reg (f, 0x3FF40014, 4), ==, (40000000 + 115200 / 2) / 115200);
}

static void
classic_reset (GlintSim *sim,
               guint     delay_ms)
{
  /* D0|R1|W0.1|D1|R0|W0.05|D0 (protocol.md §3.3) */
  glint_sim_host_set_lines (sim, GLINT_LINE_DTR, 0);
  glint_sim_host_set_lines (sim, GLINT_LINE_RTS, GLINT_LINE_RTS);
  spin (delay_ms * 2);
  glint_sim_host_set_lines (sim, GLINT_LINE_DTR, GLINT_LINE_DTR);
  glint_sim_host_set_lines (sim, GLINT_LINE_RTS, 0);
  spin (delay_ms);
  glint_sim_host_set_lines (sim, GLINT_LINE_DTR, 0);
}

static void
unix_tight_reset (GlintSim *sim,
                  guint     delay_ms)
{
  GlintLines both = GLINT_LINE_DTR | GLINT_LINE_RTS;

  /* U0,0|U1,1|U0,1|W0.1|U1,0|W0.05|U0,0 */
  glint_sim_host_set_lines (sim, both, 0);
  glint_sim_host_set_lines (sim, both, both);
  glint_sim_host_set_lines (sim, both, GLINT_LINE_RTS);
  spin (delay_ms * 2);
  glint_sim_host_set_lines (sim, both, GLINT_LINE_DTR);
  spin (delay_ms);
  glint_sim_host_set_lines (sim, both, 0);
  glint_sim_host_set_lines (sim, GLINT_LINE_DTR, 0);
}

static void
test_boot_normal (void)
{
  for (guint variant = 0; variant < 2; variant++)
    {
      /* time-scale 1 for the 5 ms strapping delay to matter */
      g_autoptr(Fixture) f = fixture_new ("esp32", NULL);

      spin (30);
      g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_APP);
      g_assert_nonnull (g_strstr_len ((const char *) f->text->data, f->text->len,
                                      "boot:0x13 (SPI_FAST_FLASH_BOOT)"));

      /* The app ignores SYNC. */
      send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
      g_assert_false (wait_frames (f, 1, 100));

      drop_frames (f);
      if (variant == 0)
        classic_reset (f->sim, 50);
      else
        unix_tight_reset (f->sim, 50);
      spin (20);

      g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
      g_assert_nonnull (g_strstr_len ((const char *) f->text->data, f->text->len,
                                      "waiting for download"));
      g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_RESETS), >=, 1);
      do_sync (f, 0x20120707, 4);
    }
}

static void
test_classic_reset_instant (void)
{
  g_autoptr(Fixture) f = fixture_new ("esp32", "time-scale=0");

  /* back to back, as a host without sleeps would do it */
  spin (10);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR, 0);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_RTS, GLINT_LINE_RTS);
  spin (5);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR, GLINT_LINE_DTR);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_RTS, 0);
  spin (10);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR, 0);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
}

static void
test_boot_app_without_io0 (void)
{
  g_autoptr(Fixture) f = fixture_new ("esp32", "time-scale=0");

  /* A plain EN pulse (RTS only), IO0 stays high: the app boots again. */
  spin (10);
  drop_frames (f);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_RTS, GLINT_LINE_RTS);
  spin (10);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_RESET);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_RTS, 0);
  spin (50);

  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_APP);
  g_assert_nonnull (g_strstr_len ((const char *) f->text->data, f->text->len, "boot:0x13"));
  g_assert_null (g_strstr_len ((const char *) f->text->data, f->text->len, "waiting for download"));
  send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  g_assert_false (wait_frames (f, 1, 100));
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SYNCS), ==, 0);
  /* the app keeps printing */
  g_byte_array_set_size (f->text, 0);
  spin (100);
  g_assert_cmpuint (f->text->len, >, 0);
}

static void
put_partition (guint8     *table,
               guint       index,
               guint8      type,
               guint8      subtype,
               guint32     offset,
               guint32     size,
               const char *label)
{
  guint8 *e = table + index * 32;

  e[0] = 0xAA;
  e[1] = 0x50;
  e[2] = type;
  e[3] = subtype;
  for (guint i = 0; i < 4; i++)
    {
      e[4 + i] = (offset >> (8 * i)) & 0xFF;
      e[8 + i] = (size >> (8 * i)) & 0xFF;
    }
  memset (e + 12, 0, 16);
  memcpy (e + 12, label, strlen (label));
}

/* An EN pulse with IO0 high: the board boots from its flash; returns
 * what it printed, including a few of the app's lines. */
static char *
boot_log (Fixture *f)
{
  g_byte_array_set_size (f->text, 0);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_RTS, GLINT_LINE_RTS);
  spin (5);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_RTS, 0);
  spin (60);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_APP);
  return g_strndup ((const char *) f->text->data, f->text->len);
}

static gsize
count (const char *haystack,
       const char *needle)
{
  gsize n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The simulated ROM, bootloader and app look at what the flash holds:
 * each missing piece ends in the message a real board prints, again and
 * again; a full build names its app. */
static void
test_boot_from_flash (void)
{
  g_autoptr(Fixture) f = fixture_new ("esp32", "time-scale=0");
  guint8 table[3 * 32];
  guint8 app[256] = { 0xE9, 3 };
  guint8 bootloader[16] = { 0xE9, 3 };
  char *log;

  spin (10);

  /* blank: the ROM finds no bootloader at 0x1000 */
  log = boot_log (f);
  g_assert_nonnull (strstr (log, "rst:0x1 (POWERON_RESET)"));
  g_assert_cmpuint (count (log, "invalid header: 0xffffffff"), >=, 2);
  g_assert_null (strstr (log, "hello"));
  g_free (log);

  /* a bootloader, no partition table */
  glint_sim_load_flash (f->sim, 0x1000, bootloader, sizeof bootloader);
  log = boot_log (f);
  g_assert_nonnull (strstr (log, "2nd stage bootloader"));
  g_assert_nonnull (strstr (log, "partition 0 invalid magic number 0xffff"));
  g_assert_cmpuint (count (log, "load partition table error!"), >=, 2);
  g_assert_null (strstr (log, "hello"));
  g_free (log);

  /* a table without an app partition */
  memset (table, 0xFF, sizeof table);
  put_partition (table, 0, 0x01, 0x02, 0x9000, 0x6000, "nvs");
  glint_sim_load_flash (f->sim, 0x8000, table, sizeof table);
  log = boot_log (f);
  g_assert_nonnull (strstr (log, " 0 nvs              WiFi data      01 02 00009000 00006000"));
  g_assert_cmpuint (count (log, "No bootable app partitions in the partition table"), >=, 2);
  g_free (log);

  /* a factory partition with nothing in it */
  put_partition (table, 1, 0x00, 0x00, 0x10000, 0x100000, "factory");
  glint_sim_load_flash (f->sim, 0x8000, table, sizeof table);
  log = boot_log (f);
  g_assert_nonnull (strstr (log, "image at 0x10000 has invalid magic byte"));
  g_assert_nonnull (strstr (log, "Factory app partition is not bootable"));
  g_assert_null (strstr (log, "Loaded app"));
  g_free (log);

  /* and an app with its description (after the 24-byte header and the
   * first segment's 8): it starts and says who it is */
  app[32] = 0x32;
  app[33] = 0x54;
  app[34] = 0xCD;
  app[35] = 0xAB;
  memcpy (app + 32 + 16, "1.0.0", 5);
  memcpy (app + 32 + 48, "glint-demo", 10);
  memcpy (app + 32 + 112, "v5.1.2", 6);
  glint_sim_load_flash (f->sim, 0x10000, app, sizeof app);
  log = boot_log (f);
  g_assert_nonnull (strstr (log, "Loaded app from partition at offset 0x10000"));
  g_assert_nonnull (strstr (log, "Project name:     glint-demo"));
  g_assert_nonnull (strstr (log, "App version:      1.0.0"));
  g_assert_nonnull (strstr (log, "glint-demo: hello from the demo board"));
  g_assert_null (strstr (log, "E ("));
  g_free (log);
}

/* The sample firmware the build makes, written where its manifest says,
 * starts on every simulated chip and names itself. */
static void
test_sample_firmware_boots (void)
{
  g_autofree char *manifest = g_build_filename (g_getenv ("GLINT_SAMPLE_DIR"), "manifest.json",
                                                NULL);
  const char *chips[] = { "esp8266", "esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3",
                          "esp32c5", "esp32c6", "esp32c61", "esp32h2", "esp32p4" };

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GlintFlashPlan) plan = glint_flash_plan_new_from_manifest (manifest, NULL, &error);
      g_autoptr(Fixture) f = fixture_new (chips[i], "time-scale=0");
      g_autofree char *log = NULL;

      g_test_message ("%s", chips[i]);
      g_assert_no_error (error);
      g_assert_true (glint_flash_plan_validate (plan, chips[i], 0, &error));
      g_assert_no_error (error);
      g_assert_null (glint_flash_plan_get_warnings (plan)[0]);
      g_assert_cmpuint (glint_flash_plan_get_n_regions (plan), ==, 3);
      g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 0), ==,
                       glint_image_chip_bootloader_offset (chips[i]));
      g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 1), ==, 0x8000);
      g_assert_cmphex (glint_flash_plan_get_region_offset (plan, 2), ==, 0x10000);
      for (guint r = 0; r < 3; r++)
        {
          GBytes *data = glint_flash_plan_get_region_data (plan, r);

          glint_sim_load_flash (f->sim, glint_flash_plan_get_region_offset (plan, r),
                                g_bytes_get_data (data, NULL), g_bytes_get_size (data));
        }

      spin (10);
      log = boot_log (f);
      g_assert_nonnull (strstr (log, " 2 factory          factory app    00 00 00010000 00100000"));
      g_assert_nonnull (strstr (log, "Loaded app from partition at offset 0x10000"));
      g_assert_nonnull (strstr (log, "Project name:     glint-demo"));
      g_assert_nonnull (strstr (log, "App version:      1.0.0"));
      g_assert_nonnull (strstr (log, "glint-demo: hello from the demo board"));
      g_assert_null (strstr (log, "E ("));
    }
}

static void
test_reset_before_power_on (void)
{
  g_autoptr(Fixture) f = fixture_new ("esp32", "time-scale=0");

  /* The transport asserts lines before the main loop ever ran. */
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_RTS);
  spin (10);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_RESET);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_DTR);
  spin (10);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR, 0);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
  do_sync (f, 0x20120707, 4);
}

static void
test_stub_upload (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);

  run_stub (f);
  do_sync (f, 0, 2);

  {
    g_auto(Response) r = { 0, };
    g_autoptr(GByteArray) d = g_byte_array_new ();

    /* The stub takes a 4-byte SPI_ATTACH; the ROM's 8 bytes are an error. */
    put_u32 (d, 0);
    command (f, OP_SPI_ATTACH, d->data, d->len, 0, 2, &r);
    assert_ok (&r);
  }
}

static GBytes *
random_bytes (gsize   len,
              guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (len);

  /* compressible but not trivial */
  for (gsize i = 0; i < len; i++)
    data[i] = g_rand_int_range (rand, 0, 16) * 3;

  return g_bytes_new_take (data, len);
}

static void
md5_of (GBytes *bytes,
        guint8  digest[16],
        char    hex[33])
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = 16;

  g_checksum_update (md5, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_checksum_get_digest (md5, digest, &len);
  strcpy (hex, g_checksum_get_string (md5));
}

static void
spi_flash_md5 (Fixture  *f,
               guint32   addr,
               guint32   size,
               gsize     status_len,
               Response *r)
{
  g_autoptr(GByteArray) d = g_byte_array_new ();

  put_u32 (d, addr);
  put_u32 (d, size);
  put_u32 (d, 0);
  put_u32 (d, 0);
  command (f, OP_SPI_FLASH_MD5, d->data, d->len, 0, status_len, r);
}

static void
write_deflated (Fixture *f,
                GBytes  *image,
                guint32  offset,
                gboolean stub)
{
  gsize len = g_bytes_get_size (image);
  uLongf clen = compressBound (len);
  g_autofree guint8 *comp = g_malloc (clen);
  guint32 block = stub ? 0x4000 : 0x400;
  gsize status_len = stub ? 2 : 4;
  guint32 nblocks;
  guint32 word0;

  g_assert_cmpint (compress2 (comp, &clen, g_bytes_get_data (image, NULL), len, 9), ==, Z_OK);
  nblocks = (clen + block - 1) / block;
  /* ROM: size rounded up to the block size; stub: exact */
  word0 = stub ? len : (len + block - 1) / block * block;
  begin_cmd (f, OP_FLASH_DEFL_BEGIN, word0, nblocks, block, offset, status_len);

  for (guint32 seq = 0; seq < nblocks; seq++)
    {
      g_auto(Response) r = { 0, };
      gsize n = MIN (block, clen - seq * block);

      data_cmd (f, OP_FLASH_DEFL_DATA, seq, comp + seq * block, n, status_len, &r);
      assert_ok (&r);
    }

  if (stub)
    {
      g_auto(Response) r = { 0, };
      g_autoptr(GByteArray) d = g_byte_array_new ();

      put_u32 (d, 1);
      command (f, OP_FLASH_DEFL_END, d->data, d->len, 0, 2, &r);
      assert_ok (&r);
    }
}

static void
check_flash (Fixture *f,
             GBytes  *image,
             guint32  offset)
{
  gsize size;
  const guint8 *flash = glint_sim_get_flash (f->sim, &size);

  g_assert_cmpuint (offset + g_bytes_get_size (image), <=, size);
  g_assert_cmpmem (flash + offset, g_bytes_get_size (image),
                   g_bytes_get_data (image, NULL), g_bytes_get_size (image));
}

static void
test_deflate_rom (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  g_autoptr(GBytes) image = random_bytes (100 * 1024 + 17, 1);
  g_auto(Response) r = { 0, };
  guint8 digest[16];
  char hex[33];

  write_deflated (f, image, 0x10000, FALSE);
  check_flash (f, image, 0x10000);

  md5_of (image, digest, hex);
  spi_flash_md5 (f, 0x10000, g_bytes_get_size (image), 4, &r);
  assert_ok (&r);
  g_assert_cmpmem (r.data, r.data_len, hex, 32);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==,
                    g_bytes_get_size (image));
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SECTORS_ERASED), >=, 26);
}

static void
test_deflate_stub (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32s3", NULL);
  g_autoptr(GBytes) image = random_bytes (200 * 1024 + 3, 2);
  g_auto(Response) r = { 0, };
  guint8 digest[16];
  char hex[33];

  run_stub (f);
  write_deflated (f, image, 0x20000, TRUE);
  check_flash (f, image, 0x20000);

  md5_of (image, digest, hex);
  spi_flash_md5 (f, 0x20000, g_bytes_get_size (image), 2, &r);
  assert_ok (&r);
  g_assert_cmpmem (r.data, r.data_len, digest, 16);
}

static void
test_flash_data_rom (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  g_autoptr(GBytes) image = random_bytes (3000, 3);
  const guint8 *data = g_bytes_get_data (image, NULL);
  g_auto(Response) md5 = { 0, };
  guint8 digest[16];
  char hex[33];
  gsize size;
  const guint8 *flash;

  begin_cmd (f, OP_FLASH_BEGIN, 3000, 3, 0x400, 0x8000, 4);
  for (guint32 seq = 0; seq < 3; seq++)
    {
      g_auto(Response) r = { 0, };
      guint8 block[0x400];
      gsize n = MIN (0x400, 3000 - seq * 0x400);

      memset (block, 0xFF, sizeof block);
      memcpy (block, data + seq * 0x400, n);
      data_cmd (f, OP_FLASH_DATA, seq, block, sizeof block, 4, &r);
      assert_ok (&r);
    }
  check_flash (f, image, 0x8000);
  flash = glint_sim_get_flash (f->sim, &size);
  g_assert_cmpint (flash[0x8000 + 3000], ==, 0xFF);

  md5_of (image, digest, hex);
  spi_flash_md5 (f, 0x8000, 3000, 4, &md5);
  g_assert_cmpmem (md5.data, md5.data_len, hex, 32);

  /* READ_FLASH_SLOW: 64 bytes */
  {
    g_auto(Response) r = { 0, };
    g_autoptr(GByteArray) d = g_byte_array_new ();

    put_u32 (d, 0x8000);
    put_u32 (d, 64);
    command (f, OP_READ_FLASH_SLOW, d->data, d->len, 0, 4, &r);
    assert_ok (&r);
    g_assert_cmpmem (r.data, r.data_len, data, 64);
  }
}

static void
test_esp8266_erase_quirk (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp8266", NULL);
  g_autoptr(GBytes) image = random_bytes (0x3000, 6);
  const guint8 *data = g_bytes_get_data (image, NULL);
  g_autofree guint8 *zeros = g_malloc0 (0x4000);

  /* esptool's get_erase_size (protocol.md §5.4): 3 sectors at a block
   * start -> erase_size 8 KiB; the ROM still ends up erasing all 3 */
  glint_sim_load_flash (f->sim, 0x20000, zeros, 0x4000);
  begin_cmd (f, OP_FLASH_BEGIN, 0x2000, 3, 0x1000, 0x20000, 2);
  for (guint32 seq = 0; seq < 3; seq++)
    {
      g_auto(Response) r = { 0, };

      data_cmd (f, OP_FLASH_DATA, seq, data + seq * 0x1000, 0x1000, 2, &r);
      assert_ok (&r);
    }
  check_flash (f, image, 0x20000);
}

static void
test_flash_begin_words (void)
{
  g_autoptr(GByteArray) d = g_byte_array_new ();

  put_u32 (d, 0x1000);
  put_u32 (d, 1);
  put_u32 (d, 0x1000);
  put_u32 (d, 0x10000);
  put_u32 (d, 0);

  /* 5 words: an error for the ESP32 ROM, fine for the S3 ROM and a stub */
  {
    g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
    g_auto(Response) r = { 0, };
    g_auto(Response) s = { 0, };

    command (f, OP_FLASH_BEGIN, d->data, d->len, 0, 4, &r);
    g_assert_cmpint (r.status[0], ==, 1);
    run_stub (f);
    command (f, OP_FLASH_BEGIN, d->data, d->len, 0, 2, &s);
    assert_ok (&s);
  }
  {
    g_autoptr(Fixture) f = rom_fixture ("esp32s3", NULL);
    g_auto(Response) r = { 0, };

    command (f, OP_FLASH_BEGIN, d->data, d->len, 0, 4, &r);
    assert_ok (&r);
  }
}

static void
test_unerased_write (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  guint8 zeros[16] = { 0, };
  guint8 pattern[16];
  gsize size;
  const guint8 *flash;

  memset (pattern, 0xF0, sizeof pattern);
  /* program without erase over existing data: bits are only cleared */
  glint_sim_load_flash (f->sim, 0x1000, (const guint8 *) "\x0F\x0F\x0F\x0F", 4);
  begin_cmd (f, OP_FLASH_BEGIN, 0, 1, 16, 0x1000, 4);
  {
    g_auto(Response) r = { 0, };

    data_cmd (f, OP_FLASH_DATA, 0, pattern, sizeof pattern, 4, &r);
    assert_ok (&r);
  }
  flash = glint_sim_get_flash (f->sim, &size);
  g_assert_cmpmem (flash + 0x1000, 4, zeros, 4);
  g_assert_cmpint (flash[0x1004], ==, 0xF0);
}

static void
test_stub_flash_data (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  g_autoptr(GBytes) image = random_bytes (3000, 7);
  g_autofree guint8 *block = g_malloc (0x4000);
  g_auto(Response) r = { 0, };
  gsize size;
  const guint8 *flash;

  /* data right after the image must survive the padded last block */
  glint_sim_load_flash (f->sim, 0x9000, (const guint8 *) "keep", 4);
  run_stub (f);
  begin_cmd (f, OP_FLASH_BEGIN, 3000, 1, 0x4000, 0x8000, 2);
  memset (block, 0xFF, 0x4000);
  memcpy (block, g_bytes_get_data (image, NULL), 3000);
  data_cmd (f, OP_FLASH_DATA, 0, block, 0x4000, 2, &r);
  assert_ok (&r);
  check_flash (f, image, 0x8000);
  flash = glint_sim_get_flash (f->sim, &size);
  g_assert_cmpmem (flash + 0x9000, 4, "keep", 4);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, 3000);
}

static void
test_stub_carried_error (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  guint8 junk[64];
  g_auto(Response) r = { 0, };
  g_auto(Response) end = { 0, };
  g_autoptr(GByteArray) d = g_byte_array_new ();

  memset (junk, 0x77, sizeof junk);
  run_stub (f);
  begin_cmd (f, OP_FLASH_DEFL_BEGIN, 4096, 1, 0x4000, 0, 2);
  /* not a zlib stream: acked early, the failure shows up next */
  data_cmd (f, OP_FLASH_DEFL_DATA, 0, junk, sizeof junk, 2, &r);
  assert_ok (&r);
  put_u32 (d, 1);
  command (f, OP_FLASH_DEFL_END, d->data, d->len, 0, 2, &end);
  g_assert_cmphex (end.status[0], ==, 0xC7);
}

static void
test_bad_checksum (void)
{
  guint8 payload[64];

  memset (payload, 0x42, sizeof payload);

  for (guint stub = 0; stub < 2; stub++)
    {
      /* a ROM that knows its crystal (its drift: the tests below); the
       * stub always does */
      g_autoptr(Fixture) f = rom_fixture ("esp32", stub ? NULL : "rom-xtal-drift=0");
      g_autoptr(GByteArray) d = g_byte_array_new ();
      g_auto(Response) r = { 0, };
      gsize status_len = stub ? 2 : 4;

      if (stub)
        run_stub (f);
      begin_cmd (f, OP_FLASH_BEGIN, 64, 1, 64, 0, status_len);
      put_u32 (d, sizeof payload);
      put_u32 (d, 0);
      put_u32 (d, 0);
      put_u32 (d, 0);
      g_byte_array_append (d, payload, sizeof payload);
      command (f, OP_FLASH_DATA, d->data, d->len, data_checksum (payload, 64) ^ 1,
               status_len, &r);
      if (stub)
        {
          g_assert_cmphex (r.status[0], ==, 0xC1);
          g_assert_cmphex (r.status[1], ==, 0x00);
        }
      else
        {
          g_assert_cmphex (r.status[0], ==, 0x01);
          g_assert_cmphex (r.status[1], ==, 0x07);
        }
      g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, 0);
    }
}

static void
test_erase (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  g_autoptr(GByteArray) d = g_byte_array_new ();
  guint8 zeros[0x3000];
  gsize size;
  const guint8 *flash;

  memset (zeros, 0, sizeof zeros);
  glint_sim_load_flash (f->sim, 0x1000, zeros, sizeof zeros);
  put_u32 (d, 0x2000);
  put_u32 (d, 0x1000);

  /* ROM: stub-only command */
  assert_unsupported (f, OP_ERASE_REGION, d->data, d->len, 4);

  run_stub (f);
  drop_frames (f);
  {
    g_auto(Response) r = { 0, };

    command (f, OP_ERASE_REGION, d->data, d->len, 0, 2, &r);
    assert_ok (&r);
  }
  flash = glint_sim_get_flash (f->sim, &size);
  g_assert_cmpint (flash[0x1FFF], ==, 0x00);
  g_assert_cmpint (flash[0x2000], ==, 0xFF);
  g_assert_cmpint (flash[0x2FFF], ==, 0xFF);
  g_assert_cmpint (flash[0x3000], ==, 0x00);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SECTORS_ERASED), ==, 1);

  /* misaligned */
  {
    g_auto(Response) r = { 0, };
    g_autoptr(GByteArray) bad = g_byte_array_new ();

    put_u32 (bad, 0x2001);
    put_u32 (bad, 0x1000);
    command (f, OP_ERASE_REGION, bad->data, bad->len, 0, 2, &r);
    g_assert_cmpint (r.status[0], !=, 0);
  }

  {
    g_auto(Response) r = { 0, };

    command (f, OP_ERASE_FLASH, NULL, 0, 0, 2, &r);
    assert_ok (&r);
  }
  flash = glint_sim_get_flash (f->sim, &size);
  for (gsize i = 0; i < size; i++)
    if (flash[i] != 0xFF)
      g_error ("flash not erased at 0x%" G_GSIZE_MODIFIER "x", i);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SECTORS_ERASED), ==,
                    1 + size / 4096);
}

static void
test_read_flash (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32c3", NULL);
  g_autoptr(GBytes) image = random_bytes (10000, 4);
  g_autoptr(GByteArray) got = g_byte_array_new ();
  g_autoptr(GByteArray) d = g_byte_array_new ();
  g_auto(Response) r = { 0, };
  g_autoptr(GBytes) md5_frame = NULL;
  guint8 digest[16];
  char hex[33];

  glint_sim_load_flash (f->sim, 0x3000, g_bytes_get_data (image, NULL), 10000);
  run_stub (f);

  put_u32 (d, 0x3000);
  put_u32 (d, 10000);
  put_u32 (d, 0x1000);
  put_u32 (d, 64);
  command (f, OP_READ_FLASH, d->data, d->len, 0, 2, &r);
  assert_ok (&r);

  while (got->len < 10000)
    {
      g_autoptr(GBytes) packet = next_frame (f);
      g_autoptr(GByteArray) ack = g_byte_array_new ();
      g_autoptr(GByteArray) wire = g_byte_array_new ();

      g_assert_cmpuint (g_bytes_get_size (packet), <=, 0x1000);
      g_byte_array_append (got, g_bytes_get_data (packet, NULL), g_bytes_get_size (packet));
      put_u32 (ack, got->len);
      glint_slip_encode (ack->data, ack->len, wire);
      glint_sim_host_write (f->sim, wire->data, wire->len);
    }
  g_assert_cmpmem (got->data, got->len, g_bytes_get_data (image, NULL), 10000);

  md5_frame = next_frame (f);
  md5_of (image, digest, hex);
  g_assert_cmpmem (g_bytes_get_data (md5_frame, NULL), g_bytes_get_size (md5_frame), digest, 16);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FLASH_READ), ==, 10000);

  /* and the stub is back to commands */
  do_sync (f, 0, 2);

  /* a packet larger than the stubs' 4 KiB buffer is refused (§6.4) */
  {
    g_autoptr(GByteArray) big = g_byte_array_new ();
    g_auto(Response) refused = { 0, };

    put_u32 (big, 0x3000);
    put_u32 (big, 0x2000);
    put_u32 (big, 0x1004);
    put_u32 (big, 1);
    command (f, OP_READ_FLASH, big->data, big->len, 0, 2, &refused);
    g_assert_cmphex (refused.status[0] << 8 | refused.status[1], ==, 0xC000);
    g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FLASH_READ), ==, 10000);
  }
}

/* esp-flasher-stub holds two frames: the one it works on and one more;
 * the interrupt discards a frame that finds no free buffer (protocol.md
 * §9). An MD5 of 64 KiB keeps the stub busy while three READ_REGs arrive
 * behind it in one write, in real time at 115200 baud. */
static void
test_stub_rx_frames (void)
{
  for (guint limit = 0; limit <= 2; limit += 2)
    {
      g_autofree char *extra = g_strdup_printf ("time-scale=1&stub-rx-frames=%u", limit);
      g_autoptr(Fixture) f = rom_fixture ("esp32", extra);
      g_autoptr(GByteArray) wire = g_byte_array_new ();
      g_autoptr(GBytes) md5 = NULL;
      guint answers = 0;

      run_stub (f);
      drop_frames (f);

      {
        guint8 hdr[8] = { 0x00, OP_SPI_FLASH_MD5, 16, 0, 0, 0, 0, 0 };
        g_autoptr(GByteArray) pkt = g_byte_array_new ();

        g_byte_array_append (pkt, hdr, sizeof hdr);
        put_u32 (pkt, 0);
        put_u32 (pkt, 0x10000);
        put_u32 (pkt, 0);
        put_u32 (pkt, 0);
        glint_slip_encode (pkt->data, pkt->len, wire);
        for (guint i = 0; i < 3; i++)
          {
            guint8 rr[8] = { 0x00, OP_READ_REG, 4, 0, 0, 0, 0, 0 };

            g_byte_array_set_size (pkt, 0);
            g_byte_array_append (pkt, rr, sizeof rr);
            put_u32 (pkt, 0x3FF5A004);
            glint_slip_encode (pkt->data, pkt->len, wire);
          }
      }
      glint_sim_host_write (f->sim, wire->data, wire->len);

      md5 = wait_response (f, OP_SPI_FLASH_MD5);
      while (wait_frames (f, 1, 300))
        {
          g_autoptr(GBytes) frame = g_queue_pop_head (&f->frames);
          const guint8 *p = g_bytes_get_data (frame, NULL);

          g_assert_cmpint (p[1], ==, OP_READ_REG);
          answers++;
        }

      if (limit == 0)
        {
          g_assert_cmpuint (answers, ==, 3);
          g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FRAMES_LOST), ==, 0);
        }
      else
        {
          /* the MD5 and one READ_REG were held; two were lost */
          g_assert_cmpuint (answers, ==, 1);
          g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FRAMES_LOST), ==, 2);
        }

      /* one frame at a time is taken, as ever */
      do_sync (f, 0, 2);
    }
}

/* esptool's legacy stub never refuses a frame: a second one waiting
 * replaces the first, which is never answered (protocol.md §9). Behind a
 * busy MD5, three READ_REGs in one write: only the last is answered. */
static void
test_legacy_stub_rx (void)
{
  static const guint32 regs[3] = { 0x3FF5A004, 0x3FF5A008, 0x40001000 };
  g_autoptr(Fixture) f = rom_fixture ("esp32", "time-scale=1&legacy-stub=on");
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GByteArray) pkt = g_byte_array_new ();
  g_autoptr(GBytes) md5 = NULL;
  g_autoptr(GBytes) answer = NULL;
  guint8 hdr[8] = { 0x00, OP_SPI_FLASH_MD5, 16, 0, 0, 0, 0, 0 };

  run_stub (f);
  drop_frames (f);

  g_byte_array_append (pkt, hdr, sizeof hdr);
  put_u32 (pkt, 0);
  put_u32 (pkt, 0x10000);
  put_u32 (pkt, 0);
  put_u32 (pkt, 0);
  glint_slip_encode (pkt->data, pkt->len, wire);
  for (guint i = 0; i < G_N_ELEMENTS (regs); i++)
    {
      guint8 rr[8] = { 0x00, OP_READ_REG, 4, 0, 0, 0, 0, 0 };

      g_byte_array_set_size (pkt, 0);
      g_byte_array_append (pkt, rr, sizeof rr);
      put_u32 (pkt, regs[i]);
      glint_slip_encode (pkt->data, pkt->len, wire);
    }
  glint_sim_host_write (f->sim, wire->data, wire->len);

  md5 = wait_response (f, OP_SPI_FLASH_MD5);
  g_assert_true (wait_frames (f, 1, 300));
  answer = g_queue_pop_head (&f->frames);
  g_assert_cmpint (((const guint8 *) g_bytes_get_data (answer, NULL))[1], ==, OP_READ_REG);
  /* the ESP32's magic value: the last READ_REG's */
  g_assert_cmphex (glint_read_u32 ((const guint8 *) g_bytes_get_data (answer, NULL) + 4), ==,
                   0x00F01D83);
  g_assert_false (wait_frames (f, 1, 300));
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FRAMES_LOST), ==, 2);

  do_sync (f, 0, 2);
}

static void
test_change_baud (void)
{
  for (guint stub = 0; stub < 2; stub++)
    {
      /* a ROM that knows its crystal (its drift: the tests below); the
       * stub always does */
      g_autoptr(Fixture) f = rom_fixture ("esp32", stub ? NULL : "rom-xtal-drift=0");
      g_autoptr(GByteArray) d = g_byte_array_new ();
      g_auto(Response) r = { 0, };
      gsize status_len = stub ? 2 : 4;

      if (stub)
        run_stub (f);
      put_u32 (d, 921600);
      put_u32 (d, stub ? 115200 : 0);
      command (f, OP_CHANGE_BAUDRATE, d->data, d->len, 0, status_len, &r);
      assert_ok (&r);
      g_assert_cmpuint (glint_sim_get_baud (f->sim), ==, 921600);
      g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_BAUD_CHANGES), ==, 1);

      /* host still at 115200: garbage both ways, no answer */
      drop_frames (f);
      send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
      g_assert_false (wait_frames (f, 1, 100));
      g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_GARBLED), >, 0);
      g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SYNCS), ==, 0);

      /* matching rate: works */
      glint_sim_host_set_baud (f->sim, 921600);
      do_sync (f, stub ? 0 : 0x20120707, status_len);
    }
}

/* The ESP32 ROM believes in a crystal off by the drift, and its registers
 * tell the belief: esptool's correction (requested × believed / 40 MHz)
 * gets the rate asked, an uncorrected CHANGE_BAUDRATE garbles the link
 * under baud-check. */
static void
test_rom_xtal_drift (void)
{
  static const gdouble drifts[] = { 4.8, -4.8, 3.5, -3.5, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (drifts); i++)
    for (guint corrected = 0; corrected < 2; corrected++)
      {
        g_autofree char *option = g_strdup_printf ("rom-xtal-drift=%g", drifts[i]);
        g_autoptr(Fixture) f = rom_fixture ("esp32", option);
        g_autoptr(GByteArray) d = g_byte_array_new ();
        g_auto(Response) r = { 0, };
        guint32 cali_val, ck8m, sent;
        gdouble believed;
        guint real;

        cali_val = (read_reg (f, 0x3FF5F06C, 4) >> 7) & 0x01FFFFFF;
        ck8m = read_reg (f, 0x3FF5A010, 4) & 0xFF;
        g_assert_cmpuint (ck8m, >=, 128);
        g_assert_cmpuint (ck8m, <=, 224);
        believed = cali_val * 15625.0 * ck8m / 40;
        g_assert_cmpfloat_with_epsilon (glint_sim_get_rom_xtal_mhz (f->sim), believed / 1e6,
                                        1e-9);
        /* cali_val has some 600 steps: the belief is within 0.2 % */
        g_assert_cmpfloat_with_epsilon (believed / 40e6 - 1, drifts[i] / 100, 0.002);

        sent = corrected ? (guint32) (921600 * believed / 40e6) : 921600;
        put_u32 (d, sent);
        put_u32 (d, 0);
        command (f, OP_CHANGE_BAUDRATE, d->data, d->len, 0, 4, &r);
        assert_ok (&r);
        real = glint_sim_get_baud (f->sim);
        g_assert_cmpfloat_with_epsilon (real, sent * 40e6 / believed, 1);
        if (corrected)
          g_assert_cmpfloat_with_epsilon (real, 921600, 2);

        glint_sim_host_set_baud (f->sim, 921600);
        drop_frames (f);
        if (corrected || drifts[i] == 0)
          {
            do_sync (f, 0x20120707, 4);
            /* the UART divider is the real one */
            g_assert_cmpuint (read_reg (f, 0x3FF40014, 4), ==, (40000000 + real / 2) / real);
            g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_GARBLED), ==, 0);
          }
        else
          {
            send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
            g_assert_false (wait_frames (f, 1, 100));
            g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_GARBLED), >, 0);
          }
      }
}

/* By default the drift comes from the seed: 3.5 to 5 % either way, so
 * that an uncorrected change garbles the link under baud-check (3 %). */
static void
test_rom_xtal_default (void)
{
  guint above = 0, below = 0;

  for (guint seed = 0; seed < 40; seed++)
    {
      g_autofree char *option = g_strdup_printf ("seed=%u", seed);
      g_autoptr(Fixture) f = rom_fixture ("esp32", option);
      gdouble drift = glint_sim_get_rom_xtal_mhz (f->sim) / 40 - 1;
      guint32 ck8m = read_reg (f, 0x3FF5A010, 4) & 0xFF;

      g_assert_cmpfloat (ABS (drift), >=, 0.035 - 0.0002);
      g_assert_cmpfloat (ABS (drift), <=, 0.05 + 0.0002);
      g_assert_cmpuint (ck8m, >=, 128);
      g_assert_cmpuint (ck8m, <=, 224);
      if (drift > 0)
        above++;
      else
        below++;
    }
  g_assert_cmpuint (above, >, 5);
  g_assert_cmpuint (below, >, 5);

  /* the same seed, the same chip */
  {
    g_autoptr(Fixture) a = rom_fixture ("esp32", "seed=7");
    g_autoptr(Fixture) b = rom_fixture ("esp32", "seed=7");

    g_assert_cmpfloat (glint_sim_get_rom_xtal_mhz (a->sim), ==,
                       glint_sim_get_rom_xtal_mhz (b->sim));
  }
}

/* The stub, and every other chip's ROM, take the exact rate. */
static void
test_rom_xtal_exact (void)
{
  static const char *chips[] = { "esp32", "esp32s3", "esp32c2" };

  for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
    {
      g_autoptr(Fixture) f = rom_fixture (chips[i], "rom-xtal-drift=-4.8");
      g_autoptr(GByteArray) d = g_byte_array_new ();
      g_auto(Response) r = { 0, };
      gboolean stub = g_str_equal (chips[i], "esp32");

      if (stub)
        run_stub (f);
      else
        g_assert_cmpfloat (glint_sim_get_rom_xtal_mhz (f->sim), ==, 0);
      put_u32 (d, 921600);
      put_u32 (d, stub ? 115200 : 0);
      command (f, OP_CHANGE_BAUDRATE, d->data, d->len, 0, stub ? 2 : 4, &r);
      assert_ok (&r);
      g_assert_cmpuint (glint_sim_get_baud (f->sim), ==, 921600);
    }
}

/* An ESP32-C5 on a 48 MHz board whose ROM expects 40 MHz (option
 * rom-xtal-expect): PCR_SYSCLK_CONF names 40, the UART divider the real
 * 48, and the ROM's CHANGE_BAUDRATE runs at asked × 48 / 40, so that
 * esptool's correction (send asked × 40 / 48) gets the rate asked and the
 * rate asked unscaled garbles the link. The stub takes the exact rate. */
static void
test_rom_xtal_expect (void)
{
  for (guint how = 0; how < 3; how++)
    {
      g_autoptr(Fixture) f = rom_fixture ("esp32c5", "rom-xtal-expect=40");
      g_autoptr(GByteArray) d = g_byte_array_new ();
      g_auto(Response) r = { 0, };
      gboolean corrected = how == 1, stub = how == 2;
      guint32 sent = corrected ? 460800 * 40 / 48 : 460800;

      g_assert_cmpuint ((read_reg (f, 0x60096110, 4) >> 24) & 0x7F, ==, 40);
      g_assert_cmpuint (read_reg (f, 0x60000014, 4) & 0xFFFFF, ==, (48000000 + 57600) / 115200);
      g_assert_cmpfloat (glint_sim_get_rom_xtal_mhz (f->sim), ==, 40);
      if (stub)
        run_stub (f);
      put_u32 (d, sent);
      put_u32 (d, stub ? 115200 : 0);
      command (f, OP_CHANGE_BAUDRATE, d->data, d->len, 0, stub ? 2 : 4, &r);
      assert_ok (&r);
      g_assert_cmpuint (glint_sim_get_baud (f->sim), ==, stub ? 460800 : sent * 48 / 40);

      glint_sim_host_set_baud (f->sim, 460800);
      drop_frames (f);
      if (how > 0)
        {
          do_sync (f, stub ? 0 : 0x20120707, stub ? 2 : 4);
          g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_GARBLED), ==, 0);
        }
      else
        {
          send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
          g_assert_false (wait_frames (f, 1, 100));
          g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_GARBLED), >, 0);
        }
    }

  /* by default the ROM expects the board's crystal; other chips keep none */
  {
    g_autoptr(Fixture) f = rom_fixture ("esp32c5", NULL);
    g_autoptr(Fixture) e = rom_fixture ("esp32", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_cmpuint (read_reg (f, 0x60096110, 4) >> 24, ==, 48);
    g_assert_cmpfloat (glint_sim_get_rom_xtal_mhz (f->sim), ==, 0);
    g_assert_false (glint_sim_set_option (f->sim, "rom-xtal-expect", "26", &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (glint_sim_set_option (e->sim, "rom-xtal-expect", "40", &error));
    g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_autobaud (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);

  spin (10);
  glint_sim_host_set_baud (f->sim, 230400);
  do_sync (f, 0x20120707, 4);
  g_assert_cmpuint (glint_sim_get_baud (f->sim), ==, 230400);
}

static void
test_max_baud (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", "max-baud=460800");
  g_autoptr(GByteArray) d = g_byte_array_new ();
  g_auto(Response) r = { 0, };

  put_u32 (d, 921600);
  put_u32 (d, 0);
  command (f, OP_CHANGE_BAUDRATE, d->data, d->len, 0, 4, &r);
  assert_ok (&r);
  glint_sim_host_set_baud (f->sim, 921600);
  drop_frames (f);
  send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  g_assert_false (wait_frames (f, 1, 100));
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SYNCS), ==, 0);
}

/* One SPI user command through the registers (protocol.md §5.2): @op with
 * a 24-bit address where @addr_shift is not negative (shifted as esptool
 * does for the chip), W0 read back. */
static guint32
spi_command (Fixture *f,
             guint32  base,
             guint32  usr,
             guint32  w0,
             guint8   op,
             gint     addr_shift,
             guint32  addr)
{
  guint32 cmd;
  guint polls = 0;

  write_reg (f, base + usr, (1u << 31) | (1u << 28) | (addr_shift >= 0 ? 1u << 30 : 0), 4);
  write_reg (f, base + usr + 8, (7u << 28) | op, 4);
  if (addr_shift >= 0)
    write_reg (f, base + 4, addr << addr_shift, 4);
  write_reg (f, base + w0, 0, 4);
  write_reg (f, base, 1u << 18, 4);
  do
    cmd = read_reg (f, base, 4);
  while ((cmd & (1u << 18)) != 0 && ++polls < 10);
  g_assert_cmphex (cmd & (1u << 18), ==, 0);

  return read_reg (f, base + w0, 4);
}

/* The JEDEC id (0x9F) and the SFDP table (0x5A) of flash chips from 4 to
 * 128 MiB as Winbond makes them: from 512 Mbit on the capacity byte goes
 * on from 0x20 (esptool decodes both, protocol.md §5.2), and SFDP's
 * density word says the size in bits − 1. */
static void
test_spi_rdid (void)
{
  static const struct { const char *chip; guint32 base, usr, w0; gint addr_shift; } cases[] = {
    { "esp32", 0x3FF42000, 0x1C, 0x80, 8 },
    { "esp32c6", 0x60003000, 0x18, 0x58, 0 },
  };
  static const struct { const char *size; guint32 id; } sizes[] = {
    { "4M", 0x1640EF }, { "32M", 0x1940EF }, { "64M", 0x2040EF }, { "128M", 0x2140EF },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (guint j = 0; j < G_N_ELEMENTS (sizes); j++)
      {
        g_autofree char *options = g_strdup_printf ("flash-size=%s", sizes[j].size);
        g_autoptr(Fixture) f = rom_fixture (cases[i].chip, options);
        gsize flash_size = 0;

        glint_sim_get_flash (f->sim, &flash_size);
        g_assert_cmphex (spi_command (f, cases[i].base, cases[i].usr, cases[i].w0, 0x9F, -1, 0)
                         & 0xFFFFFF, ==, sizes[j].id);
        /* "SFDP", and the density of the basic parameter table at 0x80 */
        g_assert_cmphex (spi_command (f, cases[i].base, cases[i].usr, cases[i].w0, 0x5A,
                                      cases[i].addr_shift, 0), ==, 0x50444653);
        g_assert_cmphex (spi_command (f, cases[i].base, cases[i].usr, cases[i].w0, 0x5A,
                                      cases[i].addr_shift, 0x84), ==, flash_size * 8 - 1);
      }
}

static void
test_latency (void)
{
  g_autoptr(Fixture) f = fixture_new ("esp32", "boot=download&latency=50");
  gint64 start;

  spin (150);
  drop_frames (f);
  start = g_get_monotonic_time ();
  send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  g_assert_true (wait_frames (f, 1, WAIT_MS));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 100 * 1000);
}

static void
test_rom_erase_time (void)
{
  g_autoptr(Fixture) f = fixture_new ("esp32", "boot=download");
  gint64 start;

  spin (20);
  /* the ROM erases the 64 KiB block before it answers FLASH_BEGIN */
  start = g_get_monotonic_time ();
  begin_cmd (f, OP_FLASH_BEGIN, 0x10000, 64, 0x400, 0x10000, 4);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_SECTORS_ERASED), ==, 16);
}

static void
test_jitter_keeps_order (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", "jitter=30&seed=11");
  static const guint32 addrs[] = { 0x40001000, 0x3FF5A004, 0x3FF5A008, 0x3FF40014 };
  guint32 expected[G_N_ELEMENTS (addrs)];

  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    expected[i] = read_reg (f, addrs[i], 4);

  /* all at once: the answers must come back in order */
  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
      {
        g_autoptr(GByteArray) d = g_byte_array_new ();

        put_u32 (d, addrs[i]);
        send_cmd (f, OP_READ_REG, d->data, d->len, 0);
      }

  for (guint round = 0; round < 3; round++)
    for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
      {
        g_autoptr(GBytes) frame = wait_response (f, OP_READ_REG);

        g_assert_cmphex (get_u32 ((const guint8 *) g_bytes_get_data (frame, NULL) + 4), ==,
                         expected[i]);
      }
}

static void
test_wire_time (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  guint8 block[4096];
  g_auto(Response) r = { 0, };
  g_autoptr(GError) error = NULL;
  gint64 start;

  memset (block, 0x11, sizeof block);
  begin_cmd (f, OP_FLASH_BEGIN, sizeof block, 1, sizeof block, 0, 4);

  glint_sim_set_option (f->sim, "time-scale", "1", &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  data_cmd (f, OP_FLASH_DATA, 0, block, sizeof block, 4, &r);
  assert_ok (&r);
  /* at least 10 bits per byte at 115200 */
  g_assert_cmpint (g_get_monotonic_time () - start, >=,
                   (gint64) sizeof block * 10 * G_USEC_PER_SEC / 115200);
}

static void
test_early_ack (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  g_autoptr(GByteArray) d = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *block = g_malloc (0x4000);
  g_auto(Response) r = { 0, };
  gint64 acked;

  run_stub (f);
  put_u32 (d, 2000000);
  put_u32 (d, 115200);
  {
    g_auto(Response) b = { 0, };

    command (f, OP_CHANGE_BAUDRATE, d->data, d->len, 0, 2, &b);
    assert_ok (&b);
  }
  glint_sim_host_set_baud (f->sim, 2000000);
  begin_cmd (f, OP_FLASH_BEGIN, 0x10000, 1, 0x4000, 0, 2);

  /* real time from here: the 64 KiB block erase (150 ms) happens after
   * the ack, and the next command has to wait for it */
  glint_sim_set_option (f->sim, "time-scale", "1", &error);
  g_assert_no_error (error);
  memset (block, 0x12, 0x4000);
  data_cmd (f, OP_FLASH_DATA, 0, block, 0x4000, 2, &r);
  assert_ok (&r);
  acked = g_get_monotonic_time ();
  read_reg (f, 0x40001000, 2);
  g_assert_cmpint (g_get_monotonic_time () - acked, >=, 140 * 1000);
}

static void
test_drop_corrupt (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", "drop=0.05&corrupt=0.05&duplicate=0.05&seed=3");

  for (guint i = 0; i < 5; i++)
    send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  spin (50);

  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_DROPPED), >, 0);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_CORRUPTED), >, 0);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_DUPLICATED), >, 0);
}

static void
test_disconnect (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", "disconnect-after=100");

  do_sync (f, 0x20120707, 4);
  g_assert_false (f->disconnected);
  send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  wait_flag (f, &f->disconnected, WAIT_MS);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_DEAD);
  drop_frames (f);
  send_cmd (f, OP_SYNC, sync_data, sizeof sync_data, 0);
  g_assert_false (wait_frames (f, 1, 50));

  /* a reset into download mode revives it */
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_RTS);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR | GLINT_LINE_RTS, GLINT_LINE_DTR);
  spin (10);
  glint_sim_host_set_lines (f->sim, GLINT_LINE_DTR | GLINT_LINE_RTS, 0);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_ROM);
  do_sync (f, 0x20120707, 4);
}

static void
test_brown_out (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", "brown-out-at=5000");
  g_autoptr(GBytes) image = random_bytes (8192, 5);
  const guint8 *data = g_bytes_get_data (image, NULL);
  gsize size;
  const guint8 *flash;
  guint64 resets;

  run_stub (f);
  resets = glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_RESETS);
  begin_cmd (f, OP_FLASH_BEGIN, 8192, 2, 4096, 0x10000, 2);
  for (guint32 seq = 0; seq < 2; seq++)
    {
      g_autoptr(GByteArray) d = g_byte_array_new ();

      put_u32 (d, 4096);
      put_u32 (d, seq);
      put_u32 (d, 0);
      put_u32 (d, 0);
      g_byte_array_append (d, data + seq * 4096, 4096);
      send_cmd (f, OP_FLASH_DATA, d->data, d->len, data_checksum (data + seq * 4096, 4096));
    }
  spin (50);

  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_FLASH_WRITTEN), ==, 5000);
  g_assert_cmpuint (glint_sim_get_counter (f->sim, GLINT_SIM_COUNTER_RESETS), ==, resets + 1);
  g_assert_true (glint_sim_get_mode (f->sim) == GLINT_SIM_MODE_APP ||
                 glint_sim_get_mode (f->sim) == GLINT_SIM_MODE_RESET);
  flash = glint_sim_get_flash (f->sim, &size);
  g_assert_cmpmem (flash + 0x10000, 5000, data, 5000);
  g_assert_cmpint (flash[0x10000 + 5000], ==, 0xFF);
  g_assert_nonnull (g_strstr_len ((const char *) f->text->data, f->text->len, "BROWN_OUT"));
}

static void
test_options (void)
{
  g_autoptr(GlintSim) sim = NULL;
  g_autoptr(GError) error = NULL;

  sim = glint_sim_new ("esp99", &error);
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP);
  g_assert_nonnull (strstr (error->message, "esp32c61"));
  g_assert_null (sim);
  g_clear_error (&error);

  sim = glint_sim_new (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (glint_sim_get_chip_name (sim), ==, "esp32");

  g_assert_false (glint_sim_set_option (sim, "bogus", "1", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==,
                   "unknown sim option “bogus” (known: latency, jitter, drop, corrupt, duplicate, "
                   "disconnect-after, brown-out-at, brown-out-erasing, usb-jtag, seed, time-scale, baud-check, max-baud, "
                   "lose-baud-change, damage-next, rom-xtal-drift, rom-xtal-expect, boot, flash, flash-size, "
                   "revision, package, secure-boot, secure-download, jtag-disabled, "
                   "flash-crypt-cnt, garble-reply, garble-skip, lose-reply, lose-skip, stuck-bit, no-erase, "
                   "write-protect, real-flash-size, unstable-reads, improv, stub-rx-frames, "
                   "legacy-read, legacy-stub, usb-otg)");
  g_clear_error (&error);
  /* every key the message lists is one the simulator takes */
  {
    static const char *const valid[][2] = {
      { "latency", "0" }, { "jitter", "0" }, { "drop", "0" }, { "corrupt", "0" },
      { "duplicate", "0" }, { "disconnect-after", "0" }, { "brown-out-at", "0" },
      { "brown-out-erasing", "0" }, { "usb-jtag", "off" },
      { "seed", "7" }, { "time-scale", "1" }, { "baud-check", "off" }, { "max-baud", "0" },
      { "lose-baud-change", "off" }, { "damage-next", "7:0" }, { "rom-xtal-drift", "0" },
      { "boot", "download" }, { "flash-size", "4MB" }, { "revision", "3.0" },
      { "package", "0" }, { "secure-boot", "off" }, { "secure-download", "off" },
      { "jtag-disabled", "off" }, { "flash-crypt-cnt", "0" }, { "garble-reply", "7:0" },
      { "lose-reply", "7:0" }, { "garble-skip", "0" }, { "lose-skip", "0" },
      { "unstable-reads", "0" }, { "improv", "auto" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
      {
        g_assert_true (glint_sim_set_option (sim, valid[i][0], valid[i][1], &error));
        g_assert_no_error (error);
      }
  }
  g_assert_false (glint_sim_set_options (sim, "latency=10&drop=2", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (glint_sim_set_options (sim, "latency", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (glint_sim_set_option (sim, "boot", "sideways", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (glint_sim_set_option (sim, "flash-size", "3M", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (glint_sim_set_option (sim, "rom-xtal-drift", "10.5", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (glint_sim_set_option (sim, "rom-xtal-drift", "-10", &error));
  g_assert_no_error (error);
  g_assert_false (glint_sim_set_option (sim, "damage-next", "256", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (glint_sim_set_option (sim, "damage-next", "7:x", &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (glint_sim_set_option (sim, "damage-next", "7:2", &error));
  g_assert_no_error (error);
  g_assert_true (glint_sim_set_option (sim, "damage-next", "7:0", &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (glint_sim_get_rom_xtal_mhz (sim), 36, 0.1);

  g_assert_true (glint_sim_set_options (sim, "baud-check&time-scale=0.5&flash-size=2MB&jitter=1",
                                        &error));
  g_assert_no_error (error);
  {
    gsize size;

    glint_sim_get_flash (sim, &size);
    g_assert_cmpuint (size, ==, 2 * 1024 * 1024);
  }

  g_assert_false (glint_sim_save_flash (sim, &error));
  g_assert_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_ARGUMENT);
}

static void
test_flash_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("glint-sim-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "flash.bin", NULL);
  g_autofree char *option = NULL;

  g_assert_no_error (error);
  option = g_strdup_printf ("flash-size=1M&flash=%s", path);

  {
    g_autoptr(GlintSim) sim = glint_sim_new ("esp32", &error);

    g_assert_no_error (error);
    g_assert_true (glint_sim_set_options (sim, option, &error));
    g_assert_no_error (error);
    glint_sim_load_flash (sim, 0x100, (const guint8 *) "hello", 5);
    g_assert_true (glint_sim_save_flash (sim, &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(GlintSim) sim = glint_sim_new ("esp32", &error);
    const guint8 *flash;
    gsize size;

    g_assert_true (glint_sim_set_options (sim, option, &error));
    g_assert_no_error (error);
    flash = glint_sim_get_flash (sim, &size);
    g_assert_cmpuint (size, ==, 1024 * 1024);
    g_assert_cmpmem (flash + 0x100, 5, "hello", 5);
  }

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_unknown_opcode (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);

  assert_unsupported (f, 0x42, NULL, 0, 4);
  /* and the next command is answered as usual, under its own opcode */
  g_assert_cmphex (read_reg (f, 0x40001000, 4), ==, 0x00F01D83);

  run_stub (f);
  drop_frames (f);
  {
    g_auto(Response) s = { 0, };

    command (f, 0x42, NULL, 0, 0, 2, &s);
    g_assert_cmphex (s.status[0], ==, 0xC3);
    g_assert_cmphex (s.status[1], ==, 0x00);
  }
}

/* A command whose argument has one length refuses any other, as a
 * malformed message: (1, 0x05) from the ROM, 0xC000 from the stub; the
 * lengths differ where the ROM and the stub differ (SPI_ATTACH,
 * protocol.md §2). The ESP8266's ROM does not know the ESP32's commands. */
static void
test_argument_lengths (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  const guint8 zeros[16] = { 0 };
  const struct
  {
    guint8 op;
    gsize  rom_len;
    gsize  stub_len;
  } cases[] = {
    { OP_SPI_ATTACH, 8, 4 },
    { OP_SPI_FLASH_MD5, 16, 16 },
    { OP_READ_REG, 4, 4 },
  };

  for (guint stub = 0; stub < 2; stub++)
    {
      gsize status_len = stub ? 2 : 4;

      if (stub)
        run_stub (f);
      for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          gsize len = stub ? cases[i].stub_len : cases[i].rom_len;
          g_auto(Response) wrong = { 0, };
          g_auto(Response) right = { 0, };

          command (f, cases[i].op, zeros, len - 4, 0, status_len, &wrong);
          g_assert_cmphex (wrong.status[0], ==, stub ? 0xC0 : 0x01);
          g_assert_cmphex (wrong.status[1], ==, stub ? 0x00 : 0x05);
          command (f, cases[i].op, zeros, len, 0, status_len, &right);
          assert_ok (&right);
        }
    }

  {
    g_autoptr(Fixture) f8266 = rom_fixture ("esp8266", NULL);

    assert_unsupported (f8266, OP_READ_FLASH_SLOW, zeros, 8, 2);
    assert_unsupported (f8266, OP_SPI_FLASH_MD5, zeros, 16, 2);
  }
}

/* What the ROM loads into RAM is checked as the ROM can: a range outside
 * the chip's RAM is refused (0x0F), blocks that cannot cover the size too
 * (0x0E); a jump to where nothing was loaded crashes the chip instead of
 * starting a stub. */
static void
test_mem_checks (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32c3", NULL);
  g_autoptr(GByteArray) end = g_byte_array_new ();
  guint32 text_start, data_start;
  guint8 blob[64];
  g_auto(Response) r = { 0, };

  glint_test_stub_area ("esp32c3", &text_start, &data_start);
  memset (blob, 0xA5, sizeof blob);

  /* the ESP32's IRAM is not the C3's RAM */
  {
    g_auto(Response) b = { 0, };
    g_autoptr(GByteArray) d = g_byte_array_new ();

    put_u32 (d, sizeof blob);
    put_u32 (d, 1);
    put_u32 (d, 0x1800);
    put_u32 (d, 0x400A8000);
    command (f, OP_MEM_BEGIN, d->data, d->len, 0, 4, &b);
    g_assert_cmpint (b.status[0], ==, 1);
    g_assert_cmphex (b.status[1], ==, 0x0F);
  }
  /* one block of 16 bytes cannot hold 64 */
  {
    g_auto(Response) b = { 0, };
    g_autoptr(GByteArray) d = g_byte_array_new ();

    put_u32 (d, sizeof blob);
    put_u32 (d, 1);
    put_u32 (d, 16);
    put_u32 (d, text_start);
    command (f, OP_MEM_BEGIN, d->data, d->len, 0, 4, &b);
    g_assert_cmpint (b.status[0], ==, 1);
    g_assert_cmphex (b.status[1], ==, 0x0E);
  }

  /* loaded at text_start, but the entry point lies past what was loaded */
  begin_cmd (f, OP_MEM_BEGIN, sizeof blob, 1, 0x1800, text_start, 4);
  data_cmd (f, OP_MEM_DATA, 0, blob, sizeof blob, 4, &r);
  assert_ok (&r);
  drop_frames (f);
  put_u32 (end, 0);
  put_u32 (end, text_start + 0x1000);
  send_cmd (f, OP_MEM_END, end->data, end->len, 0);
  {
    g_autoptr(GBytes) reply = next_frame (f);
    const guint8 *p = g_bytes_get_data (reply, NULL);

    g_assert_cmpint (p[1], ==, OP_MEM_END);
  }
  glint_test_spin (50);
  g_assert_nonnull (g_strstr_len ((const char *) f->text->data, f->text->len,
                                  "Guru Meditation Error"));
  g_assert_cmpuint (f->frames.length, ==, 0);   /* no OHAI */
  g_assert_cmpint (glint_sim_get_mode (f->sim), !=, GLINT_SIM_MODE_STUB);
}

static void
test_flash_end_reboot (void)
{
  g_autoptr(Fixture) f = rom_fixture ("esp32", NULL);
  g_auto(Response) r = { 0, };
  g_autoptr(GByteArray) d = g_byte_array_new ();

  run_stub (f);
  begin_cmd (f, OP_FLASH_BEGIN, 0, 0, 0x4000, 0, 2);
  put_u32 (d, 0);
  command (f, OP_FLASH_END, d->data, d->len, 0, 2, &r);
  assert_ok (&r);
  spin (20);
  g_assert_cmpint (glint_sim_get_mode (f->sim), ==, GLINT_SIM_MODE_APP);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/glint/sim/sync-esp32", test_sync_esp32);
  g_test_add_func ("/glint/sim/sync-esp8266", test_sync_esp8266);
  g_test_add_func ("/glint/sim/magic", test_magic);
  g_test_add_func ("/glint/sim/security-info", test_security_info);
  g_test_add_func ("/glint/sim/efuse-ident", test_efuse_ident);
  g_test_add_func ("/glint/sim/efuse-security-esp32", test_efuse_security_esp32);
  g_test_add_func ("/glint/sim/secure-download", test_secure_download);
  g_test_add_func ("/glint/sim/mac", test_mac);
  g_test_add_func ("/glint/sim/uart-clkdiv", test_uart_clkdiv);
  g_test_add_func ("/glint/sim/boot-normal", test_boot_normal);
  g_test_add_func ("/glint/sim/classic-reset-instant", test_classic_reset_instant);
  g_test_add_func ("/glint/sim/boot-app-without-io0", test_boot_app_without_io0);
  g_test_add_func ("/glint/sim/boot-from-flash", test_boot_from_flash);
  g_test_add_func ("/glint/sim/sample-firmware-boots", test_sample_firmware_boots);
  g_test_add_func ("/glint/sim/reset-before-power-on", test_reset_before_power_on);
  g_test_add_func ("/glint/sim/stub-upload", test_stub_upload);
  g_test_add_func ("/glint/sim/deflate-rom", test_deflate_rom);
  g_test_add_func ("/glint/sim/deflate-stub", test_deflate_stub);
  g_test_add_func ("/glint/sim/flash-data-rom", test_flash_data_rom);
  g_test_add_func ("/glint/sim/flash-begin-words", test_flash_begin_words);
  g_test_add_func ("/glint/sim/unerased-write", test_unerased_write);
  g_test_add_func ("/glint/sim/esp8266-erase-quirk", test_esp8266_erase_quirk);
  g_test_add_func ("/glint/sim/stub-flash-data", test_stub_flash_data);
  g_test_add_func ("/glint/sim/stub-carried-error", test_stub_carried_error);
  g_test_add_func ("/glint/sim/bad-checksum", test_bad_checksum);
  g_test_add_func ("/glint/sim/erase", test_erase);
  g_test_add_func ("/glint/sim/read-flash", test_read_flash);
  g_test_add_func ("/glint/sim/change-baud", test_change_baud);
  g_test_add_func ("/glint/sim/rom-xtal-drift", test_rom_xtal_drift);
  g_test_add_func ("/glint/sim/rom-xtal-default", test_rom_xtal_default);
  g_test_add_func ("/glint/sim/rom-xtal-exact", test_rom_xtal_exact);
  g_test_add_func ("/glint/sim/rom-xtal-expect", test_rom_xtal_expect);
  g_test_add_func ("/glint/sim/autobaud", test_autobaud);
  g_test_add_func ("/glint/sim/max-baud", test_max_baud);
  g_test_add_func ("/glint/sim/spi-rdid", test_spi_rdid);
  g_test_add_func ("/glint/sim/latency", test_latency);
  g_test_add_func ("/glint/sim/rom-erase-time", test_rom_erase_time);
  g_test_add_func ("/glint/sim/jitter-keeps-order", test_jitter_keeps_order);
  g_test_add_func ("/glint/sim/wire-time", test_wire_time);
  g_test_add_func ("/glint/sim/early-ack", test_early_ack);
  g_test_add_func ("/glint/sim/drop-corrupt", test_drop_corrupt);
  g_test_add_func ("/glint/sim/disconnect", test_disconnect);
  g_test_add_func ("/glint/sim/brown-out", test_brown_out);
  g_test_add_func ("/glint/sim/stub-rx-frames", test_stub_rx_frames);
  g_test_add_func ("/glint/sim/legacy-stub-rx", test_legacy_stub_rx);
  g_test_add_func ("/glint/sim/options", test_options);
  g_test_add_func ("/glint/sim/flash-file", test_flash_file);
  g_test_add_func ("/glint/sim/unknown-opcode", test_unknown_opcode);
  g_test_add_func ("/glint/sim/mem-checks", test_mem_checks);
  g_test_add_func ("/glint/sim/argument-lengths", test_argument_lengths);
  g_test_add_func ("/glint/sim/flash-end-reboot", test_flash_end_reboot);

  return g_test_run ();
}
