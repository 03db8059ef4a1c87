/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "glint-backup.h"
#include "glint-bytes.h"
#include "glint-error.h"
#include "glint-flash-plan.h"
#include "glint-formats.h"
#include "glint-image.h"

/* Larger than any flash Espressif chips address; stops us from reading
 * huge files that cannot be flashed anyway. */
#define MAX_FILE_SIZE         (256 * 1024 * 1024)
/* the flash a job assumes when the plan does not say */
#define DEFAULT_FLASH_SIZE    (4 * 1024 * 1024)
/* The partition table sits at 0x8000, so a bootloader never exceeds it. */
#define PARTITION_TABLE_OFFSET 0x8000

typedef struct
{
  guint32   offset;
  GBytes   *data;
  char     *path;
  char     *name;
  gboolean  encrypted;
  gboolean  user_file;  /* FILE@OFFSET: its content is checked (glint_flash_plan_set_allow_raw()) */
} Region;

struct _GlintFlashPlan
{
  GObject    parent_instance;

  GArray    *regions;        /* Region, sorted by offset */
  char      *chip;
  char      *flash_mode;
  char      *flash_freq;
  char      *flash_size;
  char      *before;
  char      *after;
  int        chip_revision;  /* major * 100 + minor, -1 unknown */
  GPtrArray *warnings;       /* NULL-terminated */
  gboolean   allow_raw;
  guint32    uf2_family;     /* of a UF2 file in the plan, 0 without one */
  char      *uf2_path;
  /* A manifest with builds for several chips, its build not chosen yet:
   * the board's chip chooses it (glint_flash_plan_validate()). */
  JsonNode  *manifest;
  char      *manifest_path;
  char      *build_chips;    /* "ESP32, ESP32-S3", as the manifest names them */
  char      *built_for;      /* the chip whose build the regions are, NULL before */
  /* a backup Glint made: flash bytes to put back where they came from */
  GlintBackupName backup;
  gboolean        is_backup;
};

G_DEFINE_FINAL_TYPE (GlintFlashPlan, glint_flash_plan, G_TYPE_OBJECT)

static void
region_clear (gpointer data)
{
  Region *region = data;

  g_clear_pointer (&region->data, g_bytes_unref);
  g_clear_pointer (&region->path, g_free);
  g_clear_pointer (&region->name, g_free);
}

static void
glint_flash_plan_finalize (GObject *object)
{
  GlintFlashPlan *self = GLINT_FLASH_PLAN (object);

  g_clear_pointer (&self->regions, g_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->chip, g_free);
  g_clear_pointer (&self->flash_mode, g_free);
  g_clear_pointer (&self->flash_freq, g_free);
  g_clear_pointer (&self->flash_size, g_free);
  g_clear_pointer (&self->before, g_free);
  g_clear_pointer (&self->after, g_free);
  g_clear_pointer (&self->uf2_path, g_free);
  g_clear_pointer (&self->manifest, json_node_unref);
  g_clear_pointer (&self->manifest_path, g_free);
  g_clear_pointer (&self->build_chips, g_free);
  g_clear_pointer (&self->built_for, g_free);

  G_OBJECT_CLASS (glint_flash_plan_parent_class)->finalize (object);
}

static void
glint_flash_plan_class_init (GlintFlashPlanClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = glint_flash_plan_finalize;
}

static void
glint_flash_plan_init (GlintFlashPlan *self)
{
  self->regions = g_array_new (FALSE, TRUE, sizeof (Region));
  g_array_set_clear_func (self->regions, region_clear);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->warnings, NULL);
  self->chip_revision = -1;
}

/**
 * glint_flash_plan_new:
 *
 * Returns: (transfer full): an empty plan; add regions with
 *   glint_flash_plan_add_file() or glint_flash_plan_add_bytes()
 */
GlintFlashPlan *
glint_flash_plan_new (void)
{
  return g_object_new (GLINT_TYPE_FLASH_PLAN, NULL);
}

/**
 * glint_flash_plan_copy:
 *
 * A plan of its own with the same regions, settings and warnings, for a
 * job that changes its plan (validation converts ELF files and patches the
 * bootloader header for the chip found) while other jobs flash the same
 * firmware to other boards. The regions' bytes are shared: they never
 * change in place.
 *
 * Returns: (transfer full): the copy
 */
GlintFlashPlan *
glint_flash_plan_copy (GlintFlashPlan *self)
{
  GlintFlashPlan *copy;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  copy = glint_flash_plan_new ();
  for (guint i = 0; i < self->regions->len; i++)
    {
      Region region = g_array_index (self->regions, Region, i);

      region.data = region.data != NULL ? g_bytes_ref (region.data) : NULL;
      region.path = g_strdup (region.path);
      region.name = g_strdup (region.name);
      g_array_append_val (copy->regions, region);
    }
  copy->chip = g_strdup (self->chip);
  copy->flash_mode = g_strdup (self->flash_mode);
  copy->flash_freq = g_strdup (self->flash_freq);
  copy->flash_size = g_strdup (self->flash_size);
  copy->before = g_strdup (self->before);
  copy->after = g_strdup (self->after);
  copy->chip_revision = self->chip_revision;
  copy->allow_raw = self->allow_raw;
  copy->uf2_family = self->uf2_family;
  copy->uf2_path = g_strdup (self->uf2_path);
  g_ptr_array_set_size (copy->warnings, 0);
  for (guint i = 0; i + 1 < self->warnings->len; i++)
    g_ptr_array_add (copy->warnings, g_strdup (g_ptr_array_index (self->warnings, i)));
  g_ptr_array_add (copy->warnings, NULL);

  return copy;
}

static void
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

/* Keeps regions sorted by offset, stable for equal offsets, as esptool
 * writes them in address order. */
static Region *
add_region (GlintFlashPlan *self,
            guint32         offset,
            GBytes         *data,
            const char     *path,
            const char     *name,
            gboolean        encrypted)
{
  Region region = { 0 };
  guint i;

  region.offset = offset;
  region.data = data != NULL ? g_bytes_ref (data) : NULL;
  region.path = g_strdup (path);
  if (name != NULL)
    region.name = g_strdup (name);
  else if (path != NULL)
    region.name = g_path_get_basename (path);
  else
    region.name = g_strdup_printf ("0x%x", offset);
  region.encrypted = encrypted;

  for (i = 0; i < self->regions->len; i++)
    {
      if (g_array_index (self->regions, Region, i).offset > offset)
        break;
    }
  g_array_insert_val (self->regions, i, region);
  return &g_array_index (self->regions, Region, i);
}

/**
 * glint_flash_plan_add_file:
 * @self: a #GlintFlashPlan
 * @offset: flash offset
 * @path: the file; read by glint_flash_plan_validate()
 * @name: (nullable): a display name; %NULL for the file's base name
 */
void
glint_flash_plan_add_file (GlintFlashPlan *self,
                           guint32         offset,
                           const char     *path,
                           const char     *name)
{
  g_return_if_fail (GLINT_IS_FLASH_PLAN (self));
  g_return_if_fail (path != NULL);

  add_region (self, offset, NULL, path, name, FALSE);
}

/**
 * glint_flash_plan_add_bytes:
 * @self: a #GlintFlashPlan
 * @offset: flash offset
 * @data: the contents
 * @name: (nullable): a display name
 */
void
glint_flash_plan_add_bytes (GlintFlashPlan *self,
                            guint32         offset,
                            GBytes         *data,
                            const char     *name)
{
  g_return_if_fail (GLINT_IS_FLASH_PLAN (self));
  g_return_if_fail (data != NULL);

  add_region (self, offset, data, NULL, name, FALSE);
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "cannot %s “%s”: %s", what, path, g_strerror (saved_errno));
}

/* Reads at most max_len bytes. O_NONBLOCK and fstat() make sure that a
 * file swapped for a FIFO or device after the type check can neither
 * block nor stream forever. */
static char *
read_regular_file (const char  *path,
                   gsize        max_len,
                   gsize       *out_len,
                   GError     **error)
{
  g_autofree char *buf = NULL;
  struct stat st;
  gsize len = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_errno_error (error, errno, "open", path);
      return NULL;
    }

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE,
                   _("“%s” is not a regular file"), path);
      return NULL;
    }

  buf = g_malloc (max_len + 1);
  while (len < max_len)
    {
      gssize n = read (fd, buf + len, max_len - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          set_errno_error (error, saved_errno, "read", path);
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
    }
  close (fd);

  *out_len = len;
  return g_steal_pointer (&buf);
}

/* Reads a firmware file, refusing what is not a regular file before
 * opening it: a FIFO would block forever and /dev/zero never ends. */
static GBytes *
load_file (const char  *path,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  GFileType type;
  goffset size;

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, error);
  if (info == NULL)
    return NULL;

  type = g_file_info_get_file_type (info);
  if (type == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE,
                   _("“%s” is a directory, not a firmware file"), path);
      return NULL;
    }
  if (type != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE,
                   _("“%s” is a special file (device, FIFO or socket), not a firmware file"),
                   path);
      return NULL;
    }

  size = g_file_info_get_size (info);
  if (size == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE,
                   _("“%s” is empty"), path);
      return NULL;
    }
  if (size > MAX_FILE_SIZE)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_TOO_LARGE,
                   _("“%s” is %lld bytes, larger than any flash"), path, (long long) size);
      return NULL;
    }

  contents = read_regular_file (path, size, &len, error);
  if (contents == NULL)
    return NULL;

  /* It may have been truncated between the two calls. */
  if (len == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE,
                   _("“%s” is empty"), path);
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static gboolean
parse_offset (const char  *text,
              guint32     *offset,
              GError     **error)
{
  guint64 value = 0;
  gboolean ok;

  if (g_ascii_strncasecmp (text, "0x", 2) == 0)
    ok = text[2] != '\0' &&
         g_ascii_string_to_unsigned (text + 2, 16, 0, G_MAXUINT32, &value, NULL);
  else
    ok = g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL);

  if (!ok)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("invalid offset “%s”: use a decimal number or 0x followed by hex digits "
                      "below 4 GiB"), text);
      return FALSE;
    }

  *offset = (guint32) value;
  return TRUE;
}

static gboolean
contains_word (const char *path,
               const char *word)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *lower = g_ascii_strdown (base, -1);

  return strstr (lower, word) != NULL;
}

/* A valid image starts at offset; *end is where it stops. */
static gboolean
image_at (GBytes *data,
          gsize   offset,
          gsize  *end)
{
  g_autoptr(GBytes) sub = NULL;
  g_autoptr(GlintImage) image = NULL;

  if (offset >= g_bytes_get_size (data))
    return FALSE;
  sub = g_bytes_new_from_bytes (data, offset, g_bytes_get_size (data) - offset);
  if (!glint_image_looks_like_image (sub))
    return FALSE;
  image = glint_image_parse (sub, NULL, NULL);
  if (image == NULL)
    return FALSE;
  if (end != NULL)
    *end = offset + image->image_length;
  return TRUE;
}

/* A merged (factory) binary is written at 0: it holds a bootloader at the
 * chip's bootloader offset, ending before the app at 0x10000. Both must
 * parse, so that an app that happens to hold 0xE9 at 0x10000 is not
 * mistaken for one (and written over the bootloader). */
static gboolean
looks_merged (GBytes     *data,
              const char *chip)
{
  guint32 candidates[3] = { 0x0, 0x1000, 0x2000 };
  guint n_candidates = G_N_ELEMENTS (candidates);

  if (g_bytes_get_size (data) <= GLINT_FLASH_PLAN_APP_OFFSET ||
      !image_at (data, GLINT_FLASH_PLAN_APP_OFFSET, NULL))
    return FALSE;

  if (chip != NULL)
    {
      candidates[1] = glint_image_chip_bootloader_offset (chip);
      n_candidates = 2;
    }

  for (guint i = 0; i < n_candidates; i++)
    {
      gsize end;

      if (image_at (data, candidates[i], &end) && end <= GLINT_FLASH_PLAN_APP_OFFSET)
        return TRUE;
    }

  return FALSE;
}

/* ESP-IDF apps start their first segment with esp_app_desc_t, whose
 * magic word is 0xABCD5432. */
static gboolean
has_app_descriptor (GBytes           *data,
                    const GlintImage *image)
{
  const guint8 *p = g_bytes_get_data (data, NULL);
  const GlintImageSegment *seg = glint_image_get_segment (image, 0);

  return seg->length >= 4 &&
         p[seg->file_offset] == 0x32 && p[seg->file_offset + 1] == 0x54 &&
         p[seg->file_offset + 2] == 0xCD && p[seg->file_offset + 3] == 0xAB;
}

/* The regions of an Intel HEX or UF2 file, named after the file (and
 * their offsets, when there are several). */
static void
add_format_regions (GlintFlashPlan *self,
                    const char     *path,
                    GArray         *regions)
{
  g_autofree char *base = g_path_get_basename (path);

  for (guint i = 0; i < regions->len; i++)
    {
      GlintFormatRegion *region = &g_array_index (regions, GlintFormatRegion, i);
      g_autofree char *name = regions->len > 1 ?
        g_strdup_printf ("%s (0x%x)", base, region->offset) : g_strdup (base);

      add_region (self, region->offset, region->data, path, name, FALSE);
    }
}

/* A UF2 file names its chip by family id: one Glint does not know is
 * refused, and one for another chip than @chip too. */
static gboolean
check_uf2_family (const char  *name,
                  guint32      family,
                  const char  *chip,
                  GError     **error)
{
  const char *family_chip = glint_image_chip_from_uf2_family (family);
  static const struct
  {
    guint32     id;
    const char *name;
  } others[] = {
    { 0xE48BFF56, "Raspberry Pi RP2040" },
    { 0xE48BFF59, "Raspberry Pi RP2350" },
    { 0x68ED2B88, "Microchip SAMD21" },
    { 0x55114460, "Microchip SAMD51" },
    { 0xADA52840, "Nordic nRF52840" },
    { 0x57755A57, "STM32F4" },
  };

  if (family == 0)
    return TRUE;

  if (family_chip == NULL)
    {
      const char *other = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (others); i++)
        {
          if (others[i].id == family)
            other = others[i].name;
        }
      if (other != NULL)
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                     _("“%s” is UF2 firmware for the %s (family 0x%08x), not for an "
                       "Espressif chip"), name, other, family);
      else
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                     _("“%s” is UF2 firmware for family 0x%08x, which is no Espressif "
                       "chip"), name, family);
      return FALSE;
    }

  if (chip != NULL && glint_image_chip_uf2_family (chip) != family)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                   _("“%s” is UF2 firmware for %s (family 0x%08x), but the chip is %s"),
                   name, glint_image_chip_to_family (family_chip), family,
                   glint_image_chip_to_family (chip) != NULL ?
                   glint_image_chip_to_family (chip) : chip);
      return FALSE;
    }

  return TRUE;
}

/* Intel HEX and UF2 files carry their flash offsets: no region of a plan
 * is needed from outside. */
static gboolean
add_addressed_file (GlintFlashPlan  *self,
                    const char      *path,
                    GBytes          *data,
                    GlintFormat      format,
                    const char      *chip,
                    GError         **error)
{
  g_autoptr(GArray) regions = NULL;
  guint32 family = 0;

  if (format == GLINT_FORMAT_INTEL_HEX)
    regions = glint_hex_parse (data, error);
  else
    regions = glint_uf2_parse (data, &family, error);
  if (regions == NULL)
    {
      g_prefix_error (error, "“%s”: ", path);
      return FALSE;
    }

  if (!check_uf2_family (path, family, chip, error))
    return FALSE;
  if (family != 0)
    {
      self->uf2_family = family;
      set_string (&self->uf2_path, path);
      if (self->chip == NULL)
        set_string (&self->chip, glint_image_chip_from_uf2_family (family));
    }

  add_format_regions (self, path, regions);
  return TRUE;
}

static void
set_unknown_content_error (GError     **error,
                           const char  *name,
                           GBytes      *data)
{
  g_autofree char *what = glint_format_describe_unknown (data);

  g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNKNOWN_CONTENT,
               _("“%s” is no firmware Glint knows: it looks like %s"), name, what);
}

/* Whether @data is something people flash knowingly at an offset of
 * their choice: images, merged images, partition tables, erased data
 * (otadata) and ELF files (converted). */
static gboolean
known_content (GBytes     *data,
               const char *chip)
{
  switch (glint_format_detect (data))
    {
    case GLINT_FORMAT_IMAGE:
    case GLINT_FORMAT_PARTITION_TABLE:
    case GLINT_FORMAT_ERASED:
    case GLINT_FORMAT_ELF:
      return TRUE;
    case GLINT_FORMAT_INTEL_HEX:
    case GLINT_FORMAT_UF2:
      return FALSE;
    case GLINT_FORMAT_UNKNOWN:
    default:
      /* ESP32 and ESP32-S2 merged images start with 0xFF up to 0x1000 */
      return image_at (data, 0x1000, NULL) || image_at (data, 0x2000, NULL) ||
             looks_merged (data, chip);
    }
}

static gboolean
add_single_file (GlintFlashPlan  *self,
                 const char      *path,
                 const char      *chip,
                 GError         **error)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GlintImage) image = NULL;
  const char *image_chip;
  GlintFormat format;

  data = load_file (path, error);
  if (data == NULL)
    return FALSE;

  /* by content first: a "firmware-merged.hex" is HEX, not a merged image */
  format = glint_format_detect (data);
  if (format == GLINT_FORMAT_INTEL_HEX || format == GLINT_FORMAT_UF2)
    return add_addressed_file (self, path, data, format, chip, error);

  /* An application ELF, converted to an image once the chip is known
   * (glint_flash_plan_validate()). A bootloader ELF needs its offset. */
  if (format == GLINT_FORMAT_ELF)
    {
      add_region (self, GLINT_FLASH_PLAN_APP_OFFSET, data, path, "app", FALSE);
      return TRUE;
    }

  if (contains_word (path, "merged") || contains_word (path, "factory") ||
      looks_merged (data, chip))
    {
      add_region (self, 0x0, data, path, "merged", FALSE);
      return TRUE;
    }

  if (!glint_image_looks_like_image (data))
    {
      if (format == GLINT_FORMAT_PARTITION_TABLE || format == GLINT_FORMAT_ERASED)
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                     format == GLINT_FORMAT_ERASED ?
                     _("cannot tell where “%s” goes: it holds only erased (0xFF) bytes; "
                       "give an offset as %s@0xOFFSET") :
                     _("cannot tell where “%s” goes: it is a partition table; give an "
                       "offset as %s@0xOFFSET (usually 0x8000)"), path, path);
      else
        set_unknown_content_error (error, path, data);
      return FALSE;
    }

  image = glint_image_parse (data, chip, error);
  if (image == NULL)
    {
      g_prefix_error (error, "“%s”: ", path);
      return FALSE;
    }

  /* ESP8266 sketches (eboot + app in one image) go to 0. */
  if (!image->has_extended_header)
    {
      add_region (self, 0x0, data, path, "firmware", FALSE);
      return TRUE;
    }

  image_chip = chip != NULL ? chip : glint_image_get_chip_name (image);
  if (!contains_word (path, "bootloader") &&
      (has_app_descriptor (data, image) || g_bytes_get_size (data) > PARTITION_TABLE_OFFSET))
    {
      add_region (self, GLINT_FLASH_PLAN_APP_OFFSET, data, path, "app", FALSE);
      return TRUE;
    }

  if (image_chip == NULL)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” looks like a bootloader for an unknown chip (id %u); "
                      "give an offset as %s@0xOFFSET"), path, image->chip_id, path);
      return FALSE;
    }

  add_region (self, glint_image_chip_bootloader_offset (image_chip), data, path,
              "bootloader", FALSE);
  return TRUE;
}

/**
 * glint_flash_plan_new_from_args:
 * @args: %NULL-terminated “FILE@OFFSET” strings (offset decimal or 0x hex),
 *   or a single “FILE”
 * @chip: (nullable): the target chip, used for default offsets
 * @error: return location for a #GError
 *
 * A single file without offset is placed by what it is: an app image at
 * 0x10000, a merged binary at 0, a bootloader at the chip's bootloader
 * offset. Anything else needs an offset.
 *
 * Returns: (transfer full): a new plan, or %NULL with %GLINT_ERROR_INVALID_PLAN
 *   or a file error
 */
GlintFlashPlan *
glint_flash_plan_new_from_args (const char *const  *args,
                                const char         *chip,
                                GError            **error)
{
  g_autoptr(GlintFlashPlan) self = glint_flash_plan_new ();
  guint n_args;

  g_return_val_if_fail (args != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n_args = g_strv_length ((char **) args);
  if (n_args == 0)
    {
      g_set_error_literal (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                           "no files given");
      return NULL;
    }

  set_string (&self->chip, chip);

  for (guint i = 0; i < n_args; i++)
    {
      const char *arg = args[i];
      const char *at = strrchr (arg, '@');
      g_autofree char *path = NULL;
      guint32 offset;

      if (at == NULL || (at[1] == '\0' && at == arg))
        {
          if (n_args > 1)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                           _("“%s” has no offset: with several files write each as "
                              "FILE@OFFSET"), arg);
              return NULL;
            }
          if (!add_single_file (self, arg, chip, error))
            return NULL;
          continue;
        }

      path = g_strndup (arg, at - arg);
      if (path[0] == '\0')
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                       _("“%s” has no file name before the @"), arg);
          return NULL;
        }
      if (!parse_offset (at + 1, &offset, error))
        {
          g_prefix_error (error, "“%s”: ", arg);
          return NULL;
        }
      add_region (self, offset, NULL, path, NULL, FALSE)->user_file = TRUE;
    }

  return g_steal_pointer (&self);
}

static JsonNode *
load_json (const char  *path,
           GError     **error)
{
  g_autoptr(GBytes) data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  gsize len;
  const char *text;

  data = load_file (path, error);
  if (data == NULL)
    return NULL;

  text = g_bytes_get_data (data, &len);
  if (!json_parser_load_from_data (parser, text, len, &local_error))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” is not valid JSON: %s"), path, local_error->message);
      return NULL;
    }

  /* blank text parses, to no root at all */
  if (json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” does not hold a JSON object"), path);
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* Files of a build folder or a manifest live inside its folder. A plan
 * that names /etc/passwd or ../../x (a manifest from the web, a hand-edited
 * file) would write some unrelated file of this computer to the board. */
static char *
resolve_path (const char  *json_path,
              const char  *base_dir,
              const char  *path,
              GError     **error)
{
  g_auto(GStrv) parts = NULL;

  if (path == NULL || *path == '\0')
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   "“%s” names a file without a name", json_path);
      return NULL;
    }

  parts = g_strsplit (path, "/", -1);
  if (g_path_is_absolute (path) || g_strv_contains ((const char *const *) parts, ".."))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   "“%s” names “%s”, outside its folder: only files next to it or in "
                   "its subfolders are flashed", json_path, path);
      return NULL;
    }

  return g_build_filename (base_dir, path, NULL);
}

/* esptool v5 spells reset modes with dashes; IDF ≤ 5.x writes underscores. */
static char *
normalize_reset_mode (const char *mode)
{
  if (mode == NULL)
    return NULL;
  return g_strdelimit (g_strdup (mode), "_", '-');
}

static GlintFlashPlan *
plan_from_flasher_args (JsonNode    *root,
                        const char  *json_path,
                        GError     **error)
{
  g_autoptr(GlintFlashPlan) self = glint_flash_plan_new ();
  g_autofree char *base_dir = g_path_get_dirname (json_path);
  JsonObject *obj = json_node_get_object (root);
  JsonObject *files = get_object_member (obj, "flash_files");
  JsonObject *settings = get_object_member (obj, "flash_settings");
  JsonObject *extra = get_object_member (obj, "extra_esptool_args");
  g_autoptr(GList) members = json_object_get_members (obj);
  /* offset -> section object such as "bootloader" or "app" */
  g_autoptr(GHashTable) sections = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) section_names = g_hash_table_new (NULL, NULL);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonObject *section = get_object_member (obj, l->data);
      const char *offset_text = get_string_member (section, "offset");
      const char *file = get_string_member (section, "file");
      guint32 offset;

      if (offset_text == NULL || file == NULL)
        continue;
      if (!parse_offset (offset_text, &offset, error))
        {
          g_prefix_error (error, _("“%s”, section “%s”: "), json_path, (char *) l->data);
          return NULL;
        }
      g_hash_table_insert (sections, GUINT_TO_POINTER (offset + 1), section);
      g_hash_table_insert (section_names, GUINT_TO_POINTER (offset + 1), l->data);
    }

  if (files != NULL)
    {
      g_autoptr(GList) offsets = json_object_get_members (files);

      for (GList *l = offsets; l != NULL; l = l->next)
        {
          const char *file = get_string_member (files, l->data);
          g_autofree char *path = NULL;
          JsonObject *section;
          guint32 offset;

          if (file == NULL)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                           _("“%s”: flash_files entry “%s” is not a file name"),
                           json_path, (char *) l->data);
              return NULL;
            }
          if (!parse_offset (l->data, &offset, error))
            {
              g_prefix_error (error, _("“%s”, flash_files: "), json_path);
              return NULL;
            }
          path = resolve_path (json_path, base_dir, file, error);
          if (path == NULL)
            return NULL;
          section = g_hash_table_lookup (sections, GUINT_TO_POINTER (offset + 1));
          add_region (self, offset, NULL, path,
                      g_hash_table_lookup (section_names, GUINT_TO_POINTER (offset + 1)),
                      g_strcmp0 (get_string_member (section, "encrypted"), "true") == 0);
        }
    }
  else
    {
      /* Older or hand-made files: the sections alone. */
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, sections);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_autofree char *path = resolve_path (json_path, base_dir,
                                                get_string_member (value, "file"), error);

          if (path == NULL)
            return NULL;
          add_region (self, GPOINTER_TO_UINT (key) - 1, NULL, path,
                      g_hash_table_lookup (section_names, key),
                      g_strcmp0 (get_string_member (value, "encrypted"), "true") == 0);
        }
    }

  if (self->regions->len == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” lists no files to flash"), json_path);
      return NULL;
    }

  set_string (&self->flash_mode, get_string_member (settings, "flash_mode"));
  set_string (&self->flash_freq, get_string_member (settings, "flash_freq"));
  set_string (&self->flash_size, get_string_member (settings, "flash_size"));
  set_string (&self->chip, get_string_member (extra, "chip"));
  self->before = normalize_reset_mode (get_string_member (extra, "before"));
  self->after = normalize_reset_mode (get_string_member (extra, "after"));

  return g_steal_pointer (&self);
}

/**
 * glint_flash_plan_new_from_build_dir:
 * @dir: an ESP-IDF build directory, or its flasher_args.json
 * @error: return location for a #GError
 *
 * Reads `flasher_args.json` (protocol.md §11.1): files and offsets, flash
 * settings, chip, reset modes (normalised to esptool v5's dashed spelling)
 * and which regions are to be encrypted. Paths are relative to the build
 * directory. Files are read by glint_flash_plan_validate().
 *
 * Returns: (transfer full): a new plan, or %NULL
 */
GlintFlashPlan *
glint_flash_plan_new_from_build_dir (const char  *dir,
                                     GError     **error)
{
  g_autofree char *json_path = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      json_path = g_build_filename (dir, "flasher_args.json", NULL);
      if (!g_file_test (json_path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                       _("“%s” has no flasher_args.json: is it an ESP-IDF build directory "
                          "(run “idf.py build” first)?"), dir);
          return NULL;
        }
    }
  else
    {
      json_path = g_strdup (dir);
    }

  root = load_json (json_path, error);
  if (root == NULL)
    return NULL;

  return plan_from_flasher_args (root, json_path, error);
}

static gboolean
family_matches (const char *build_family,
                const char *wanted)
{
  const char *a = glint_image_chip_from_family (build_family);
  const char *b = glint_image_chip_from_family (wanted);

  if (a != NULL && b != NULL)
    return g_str_equal (a, b);
  return g_ascii_strcasecmp (build_family, wanted) == 0;
}

static GlintFlashPlan *
plan_from_manifest (JsonNode    *root,
                    const char  *json_path,
                    const char  *chip_family,
                    GError     **error)
{
  g_autoptr(GlintFlashPlan) self = glint_flash_plan_new ();
  g_autofree char *base_dir = g_path_get_dirname (json_path);
  JsonObject *obj = json_node_get_object (root);
  g_autoptr(GString) families = g_string_new (NULL);
  JsonObject *build = NULL;
  JsonArray *builds;
  JsonArray *parts;
  JsonNode *node;
  const char *family;
  guint n_builds;

  node = json_object_get_member (obj, "builds");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” has no builds"), json_path);
      return NULL;
    }
  builds = json_node_get_array (node);
  n_builds = json_array_get_length (builds);

  for (guint i = 0; i < n_builds; i++)
    {
      JsonNode *b = json_array_get_element (builds, i);
      const char *f;

      if (!JSON_NODE_HOLDS_OBJECT (b))
        continue;
      f = get_string_member (json_node_get_object (b), "chipFamily");
      if (f == NULL)
        continue;
      if (families->len > 0)
        g_string_append (families, ", ");
      g_string_append (families, f);
      if (build == NULL && chip_family != NULL && family_matches (f, chip_family))
        build = json_node_get_object (b);
    }

  if (chip_family == NULL && n_builds == 1 &&
      JSON_NODE_HOLDS_OBJECT (json_array_get_element (builds, 0)))
    build = json_array_get_object_element (builds, 0);

  /* Several builds and no chip yet: the board's chip picks one when it is
   * known (choose_build(), from glint_flash_plan_validate()). */
  if (build == NULL && chip_family == NULL && families->len > 0)
    {
      self->manifest = json_node_ref (root);
      self->manifest_path = g_strdup (json_path);
      self->build_chips = g_strdup (families->str);
      return g_steal_pointer (&self);
    }

  if (build == NULL)
    {
      if (chip_family != NULL)
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                     _("“%s” has no build for %s; it has builds for: %s"),
                     json_path, chip_family, families->str);
      else
        g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                     _("“%s” names no chip family in its builds"), json_path);
      return NULL;
    }

  family = get_string_member (build, "chipFamily");
  if (family != NULL)
    set_string (&self->chip, glint_image_chip_from_family (family));

  node = json_object_get_member (build, "parts");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s”: the %s build has no parts"), json_path,
                   family != NULL ? family : "selected");
      return NULL;
    }
  parts = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *p = json_array_get_element (parts, i);
      JsonObject *part = JSON_NODE_HOLDS_OBJECT (p) ? json_node_get_object (p) : NULL;
      const char *path = get_string_member (part, "path");
      JsonNode *offset_node = part != NULL ? json_object_get_member (part, "offset") : NULL;
      g_autofree char *full = NULL;
      guint32 offset = 0;

      if (path == NULL || offset_node == NULL || !JSON_NODE_HOLDS_VALUE (offset_node))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                       _("“%s”: part %u needs a “path” and an “offset”"), json_path, i);
          return NULL;
        }

      if (strstr (path, "://") != NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                       _("“%s”: part “%s” is a URL; download the files first and put them "
                          "next to the manifest"), json_path, path);
          return NULL;
        }

      if (json_node_get_value_type (offset_node) == G_TYPE_INT64)
        {
          gint64 v = json_node_get_int (offset_node);

          if (v < 0 || v > G_MAXUINT32)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                           _("“%s”: part “%s” has an invalid offset %lld"),
                           json_path, path, (long long) v);
              return NULL;
            }
          offset = (guint32) v;
        }
      else if (json_node_get_value_type (offset_node) == G_TYPE_STRING)
        {
          /* Not in the spec, but seen in hand-written manifests. */
          if (!parse_offset (json_node_get_string (offset_node), &offset, error))
            {
              g_prefix_error (error, _("“%s”, part “%s”: "), json_path, path);
              return NULL;
            }
        }
      else
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                       _("“%s”: part “%s” has an offset that is not a number"),
                       json_path, path);
          return NULL;
        }

      full = resolve_path (json_path, base_dir, path, error);
      if (full == NULL)
        return NULL;
      add_region (self, offset, NULL, full, NULL, FALSE);
    }

  return g_steal_pointer (&self);
}

/**
 * glint_flash_plan_new_from_manifest:
 * @file: an ESP Web Tools manifest.json
 * @chip_family: (nullable): "ESP32-S3" etc. (esptool names such as
 *   "esp32s3" work too); %NULL takes the only build
 * @error: return location for a #GError
 *
 * Reads an ESP Web Tools manifest (protocol.md §11.2). Part paths are
 * relative to the manifest's directory; URLs are refused. Files are read
 * by glint_flash_plan_validate().
 *
 * Returns: (transfer full): a new plan, or %NULL
 */
GlintFlashPlan *
glint_flash_plan_new_from_manifest (const char  *file,
                                    const char  *chip_family,
                                    GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = load_json (file, error);
  if (root == NULL)
    return NULL;

  return plan_from_manifest (root, file, chip_family, error);
}

/* A backup, named by Glint: its bytes go back to the offset they were
 * read from, as they are (no image checks: blank flash is a fine
 * backup), on that chip; the flash job also checks the MAC. */
static GlintFlashPlan *
plan_from_backup (const char            *path,
                  const GlintBackupName *name)
{
  g_autoptr(GlintFlashPlan) self = glint_flash_plan_new ();

  add_region (self, name->offset, NULL, path, NULL, FALSE);
  set_string (&self->chip, name->chip);
  self->backup = *name;
  self->is_backup = TRUE;
  return g_steal_pointer (&self);
}

/**
 * glint_flash_plan_get_backup:
 * @self: a #GlintFlashPlan
 *
 * Returns: (nullable): what the name of the backup this plan restores
 *   says (chip, MAC, offset, date), or %NULL when it is no backup
 */
const GlintBackupName *
glint_flash_plan_get_backup (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->is_backup ? &self->backup : NULL;
}

/**
 * glint_flash_plan_new_for_path:
 * @path: a build directory, a flasher_args.json or manifest.json, or a
 *   single firmware file
 * @chip: (nullable): the target chip
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new plan, or %NULL
 */
GlintFlashPlan *
glint_flash_plan_new_for_path (const char  *path,
                               const char  *chip,
                               GError     **error)
{
  const char *args[] = { path, NULL };

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return glint_flash_plan_new_from_build_dir (path, error);

  {
    GlintBackupName backup;

    if (glint_backup_name_parse (path, &backup))
      {
        if (chip != NULL && g_strcmp0 (glint_image_chip_from_family (chip), backup.chip) != 0)
          {
            g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                         _("“%s” is a backup of an %s, not of an %s: restore it to the board "
                           "it was read from"), path, glint_image_chip_to_family (backup.chip),
                         glint_image_chip_to_family (chip) != NULL
                         ? glint_image_chip_to_family (chip) : chip);
            return NULL;
          }
        return plan_from_backup (path, &backup);
      }
  }

  if (g_str_has_suffix (path, ".json") || g_str_has_suffix (path, ".JSON"))
    {
      g_autoptr(JsonNode) root = load_json (path, error);
      JsonObject *obj;

      if (root == NULL)
        return NULL;

      obj = json_node_get_object (root);
      if (json_object_has_member (obj, "builds"))
        return plan_from_manifest (root, path, chip != NULL ?
                                   glint_image_chip_to_family (chip) : NULL, error);
      if (json_object_has_member (obj, "flash_files") ||
          json_object_has_member (obj, "write_flash_args"))
        {
          g_autoptr(GlintFlashPlan) plan = plan_from_flasher_args (root, path, error);

          if (plan != NULL && chip != NULL && plan->chip == NULL)
            set_string (&plan->chip, chip);
          return g_steal_pointer (&plan);
        }

      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” is neither an ESP-IDF flasher_args.json nor an ESP Web Tools "
                      "manifest"), path);
      return NULL;
    }

  return glint_flash_plan_new_from_args (args, chip, error);
}

static void
add_warning (GlintFlashPlan *self,
             const char     *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
add_warning (GlintFlashPlan *self,
             const char     *format,
             ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* keep the array NULL-terminated */
  g_ptr_array_index (self->warnings, self->warnings->len - 1) = message;
  g_ptr_array_add (self->warnings, NULL);
}

static char *
format_size (guint64 bytes)
{
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
    return g_strdup_printf (_("%llu MB"), (unsigned long long) (bytes / (1024 * 1024)));
  if (bytes >= 1024 && bytes % 1024 == 0)
    return g_strdup_printf (_("%llu KB"), (unsigned long long) (bytes / 1024));
  return g_strdup_printf (_("%llu bytes"), (unsigned long long) bytes);
}

/**
 * glint_flash_plan_get_flash_size_bytes:
 * @self: a #GlintFlashPlan
 *
 * The flash size a flash job assumes: the plan's own setting, or 4 MB
 * when it has none ("keep", "detect"). Known before the board is, so a
 * front end can refuse a plan that does not fit before it connects.
 *
 * Returns: the size in bytes
 */
guint64
glint_flash_plan_get_flash_size_bytes (GlintFlashPlan *self)
{
  guint64 bytes;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), 0);

  bytes = glint_flash_plan_parse_size (self->flash_size);

  return bytes != 0 ? bytes : DEFAULT_FLASH_SIZE;
}

/**
 * glint_flash_plan_parse_size:
 * @size: (nullable): a flash size such as "4MB", "512KB" or "2MB-c1"
 *
 * Returns: the size in bytes, or 0 for %NULL, "keep", "detect" and junk
 */
guint64
glint_flash_plan_parse_size (const char *size)
{
  guint64 value;
  char *end = NULL;

  if (size == NULL)
    return 0;

  value = g_ascii_strtoull (size, &end, 10);
  if (end == size)
    return 0;
  if (g_ascii_strncasecmp (end, "MB", 2) == 0)
    return value * 1024 * 1024;
  if (g_ascii_strncasecmp (end, "KB", 2) == 0)
    return value * 1024;
  return 0;
}

/* Whether @image may run on the chip's revision, by esptool's rules
 * (write_flash): an image without max_rev_full (0) only has the legacy
 * min_rev, a major revision, except on the ESP32-C3, where IDF stores the
 * minor one; so does an image whose max_rev_full is the default 0xFFFF
 * and whose min_rev_full is unset while min_rev is not. Otherwise
 * min_rev_full..max_rev_full counts, 0xFFFF meaning no maximum. */
static gboolean
check_revision (GlintFlashPlan    *self,
                Region            *region,
                const GlintImage  *image,
                const char        *chip,
                GError           **error)
{
  gint rev = self->chip_revision;
  const char *family = glint_image_chip_to_family (chip);
  gboolean use_full = image->max_rev_full != 0 &&
                      !(image->max_rev_full == 0xFFFF && image->min_rev_full == 0 &&
                        image->min_rev != 0);

  if (family == NULL)
    family = chip;

  if (use_full && rev < image->min_rev_full)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION,
                   _("“%s” needs chip revision v%u.%u or later; this %s is v%d.%d"),
                   region->name, image->min_rev_full / 100, image->min_rev_full % 100,
                   family, rev / 100, rev % 100);
      return FALSE;
    }
  if (use_full && image->max_rev_full != 0xFFFF && rev > image->max_rev_full)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION,
                   _("“%s” needs chip revision v%u.%u or earlier; this %s is v%d.%d"),
                   region->name, image->max_rev_full / 100, image->max_rev_full % 100,
                   family, rev / 100, rev % 100);
      return FALSE;
    }
  if (!use_full && g_str_equal (chip, "esp32c3") && rev % 100 < image->min_rev)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION,
                   _("“%s” needs minor chip revision %u or later (its header's legacy field); "
                     "this %s is v%d.%d"),
                   region->name, image->min_rev, family, rev / 100, rev % 100);
      return FALSE;
    }
  if (!use_full && !g_str_equal (chip, "esp32c3") && rev / 100 < image->min_rev)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_REVISION,
                   _("“%s” needs chip revision v%u.0 or later; this %s is v%d.%d"),
                   region->name, image->min_rev, family, rev / 100, rev % 100);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_image (GlintFlashPlan  *self,
             Region          *region,
             gsize            at,
             const char     **chip,
             gboolean         required,
             GError         **error)
{
  g_autoptr(GBytes) sub = NULL;
  g_autoptr(GlintImage) image = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *image_chip;
  guint32 flash_at = region->offset + at;

  sub = g_bytes_new_from_bytes (region->data, at, g_bytes_get_size (region->data) - at);
  if (!glint_image_looks_like_image (sub))
    {
      const guint8 *p = g_bytes_get_data (sub, NULL);

      if (!required)
        return TRUE;
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_IMAGE,
                   _("“%s” has no bootloader image at the bootloader offset 0x%x "
                      "(bad magic byte 0x%02x, expected 0xe9)"),
                   region->name, flash_at, p[0]);
      return FALSE;
    }

  image = glint_image_parse (sub, NULL, &local_error);
  if (image == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "“%s” at 0x%x: ", region->name, flash_at);
      return FALSE;
    }

  image_chip = glint_image_get_chip_name (image);
  if (image_chip == NULL)
    {
      add_warning (self, _("“%s” at 0x%x is built for an unknown chip (id %u)"),
                   region->name, flash_at, image->chip_id);
      return TRUE;
    }

  if (*chip == NULL)
    {
      *chip = image_chip;
    }
  else if (!g_str_equal (*chip, image_chip))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                   _("“%s” is built for %s, but the chip is %s"),
                   region->name, image_chip, *chip);
      return FALSE;
    }

  if (image->has_extended_header && self->chip_revision >= 0)
    return check_revision (self, region, image, *chip, error);

  return TRUE;
}

/* Without a chip name, the first image that names one decides. */
static const char *
chip_from_images (GlintFlashPlan *self)
{
  for (guint i = 0; i < self->regions->len; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);
      g_autoptr(GlintImage) image = NULL;

      if (!glint_image_looks_like_image (region->data))
        continue;
      image = glint_image_parse (region->data, NULL, NULL);
      if (image != NULL && glint_image_get_chip_name (image) != NULL)
        return glint_image_get_chip_name (image);
    }

  return NULL;
}

/* by offset; g_array_sort() is stable, as add_region() is */
static gint
compare_regions (gconstpointer a,
                 gconstpointer b)
{
  const Region *ra = a;
  const Region *rb = b;

  return ra->offset < rb->offset ? -1 : ra->offset > rb->offset;
}

/* The ESP8266's ELF becomes its image at 0 (the ROM boots from there)
 * and the IROM data at its own offset, a region added to @added. */
static gboolean
convert_esp8266 (Region                  *region,
                 const char              *file,
                 const GlintElfSettings  *settings,
                 GArray                  *added,
                 GError                 **error)
{
  g_autoptr(GBytes) irom = NULL;
  guint32 irom_offset = 0;
  GBytes *image;

  if (region->user_file && region->offset != 0)
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” is an ESP8266 ELF file, whose image goes to 0x0 and whose IROM "
                     "data goes where its addresses say: give it without @OFFSET"), file);
      return FALSE;
    }

  image = glint_elf_to_esp8266 (region->data, settings, &irom_offset, &irom, error);
  if (image == NULL)
    {
      g_prefix_error (error, "“%s”: ", file);
      return FALSE;
    }
  g_bytes_unref (region->data);
  region->data = image;
  region->offset = 0;
  g_free (region->name);
  region->name = g_strdup ("firmware");

  if (irom != NULL)
    {
      Region extra = { 0 };

      extra.offset = irom_offset;
      extra.data = g_steal_pointer (&irom);
      extra.path = g_strdup (region->path);
      extra.name = g_strdup ("irom0");
      g_array_append_val (added, extra);
    }
  return TRUE;
}

/* A file just read: an ELF becomes an image for @chip; Intel HEX and
 * UF2 bring their own offsets, so one given with an offset is refused. */
static gboolean
convert_file (GlintFlashPlan  *self,
              Region          *region,
              const char      *chip,
              GArray          *added,
              GError         **error)
{
  GlintElfSettings settings = { 0 };
  g_autofree char *file = region->path != NULL ? g_path_get_basename (region->path)
                                               : g_strdup (region->name);
  GBytes *image;

  switch (glint_format_detect (region->data))
    {
    case GLINT_FORMAT_INTEL_HEX:
    case GLINT_FORMAT_UF2:
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                   _("“%s” is an Intel HEX or UF2 file, which carries its own flash "
                     "offsets: give it alone, without @OFFSET"), file);
      return FALSE;

    case GLINT_FORMAT_ELF:
      /* An ELF file does not say which chip it is for: without one it
       * stays as it is, and the flash job converts it for the board it
       * detects (it validates the plan again, with that chip). */
      if (chip == NULL)
        {
          add_warning (self, _("“%s” is an ELF file: it is converted to an image for the "
                               "board's chip when the board is known"), file);
          return TRUE;
        }
      settings.flash_mode = self->flash_mode;
      settings.flash_freq = self->flash_freq;
      settings.flash_size = self->flash_size;
      if (g_strcmp0 (glint_image_chip_from_family (chip), "esp8266") == 0)
        return convert_esp8266 (region, file, &settings, added, error);
      image = glint_elf_to_image (region->data, chip, &settings, error);
      if (image == NULL)
        {
          g_prefix_error (error, "“%s”: ", file);
          return FALSE;
        }
      g_bytes_unref (region->data);
      region->data = image;
      return TRUE;

    default:
      return TRUE;
    }
}

/* Reads the files not read yet and converts what needs converting (HEX,
 * UF2, ELF); an ESP8266 ELF brings a second region. Sorts by offset. */
static gboolean
validate_load (GlintFlashPlan  *self,
               const char      *chip,
               GError         **error)
{
  g_autoptr(GArray) added = g_array_new (FALSE, TRUE, sizeof (Region));

  g_array_set_clear_func (added, region_clear);
  for (guint i = 0; i < self->regions->len; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);

      if (region->data == NULL)
        {
          region->data = load_file (region->path, error);
          if (region->data == NULL)
            return FALSE;
          if (!convert_file (self, region, chip, added, error))
            return FALSE;
        }
      else if (region->path != NULL && glint_format_detect (region->data) == GLINT_FORMAT_ELF)
        {
          if (!convert_file (self, region, chip, added, error))
            return FALSE;
        }
      else if (g_bytes_get_size (region->data) == 0)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_FILE,
                       _("“%s” is empty"), region->name);
          return FALSE;
        }
    }

  /* an ESP8266 ELF moved to 0 and brought its IROM data */
  for (guint i = 0; i < added->len; i++)
    {
      Region *extra = &g_array_index (added, Region, i);

      add_region (self, extra->offset, extra->data, extra->path, extra->name, FALSE);
    }
  g_array_sort (self->regions, compare_regions);

  return TRUE;
}

/* Sector alignment, overlaps, the flash's end and the 4 GiB limit. */
static gboolean
validate_layout (GlintFlashPlan  *self,
                 guint64          flash_size_bytes,
                 GError         **error)
{
  for (guint i = 0; i < self->regions->len; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);
      guint64 size = g_bytes_get_size (region->data);
      guint64 end = region->offset + size;

      if (region->offset % GLINT_SECTOR_SIZE != 0)
        {
          guint32 down = region->offset - region->offset % GLINT_SECTOR_SIZE;
          guint64 up = (guint64) down + GLINT_SECTOR_SIZE;
          guint64 nearest = region->offset - down < up - region->offset ? down : up;

          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                       _("offset 0x%x of “%s” is not aligned to a 4 KiB flash sector; "
                         "the nearest aligned offset is 0x%llx"),
                       region->offset, region->name, (unsigned long long) nearest);
          return FALSE;
        }

      if (i + 1 < self->regions->len)
        {
          Region *next = &g_array_index (self->regions, Region, i + 1);

          if (end > next->offset)
            {
              g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                           _("“%s” (0x%x–0x%llx) overlaps “%s” (starting at 0x%x)"),
                           region->name, region->offset, (unsigned long long) end,
                           next->name, next->offset);
              return FALSE;
            }
        }

      if (flash_size_bytes > 0 && end > flash_size_bytes)
        {
          g_autofree char *flash = format_size (flash_size_bytes);

          g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_TOO_LARGE,
                       _("“%s” ends at 0x%llx, beyond the end of the %s flash"),
                       region->name, (unsigned long long) end, flash);
          return FALSE;
        }
      else if (end > ((guint64) 1 << 32))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_IMAGE_TOO_LARGE,
                       _("“%s” ends beyond the 4 GiB address space"), region->name);
          return FALSE;
        }

      if (size % 4 != 0)
        add_warning (self, _("“%s” is %llu bytes, not a multiple of 4; it will be padded "
                             "with 0xFF"), region->name, (unsigned long long) size);
    }

  return TRUE;
}

/* Files given with an offset by hand: flash only what is firmware,
 * unless raw data was asked for; a UF2 file's family must fit the chip. */
static gboolean
validate_content (GlintFlashPlan  *self,
                  const char      *chip,
                  GError         **error)
{
  for (guint i = 0; i < self->regions->len && !self->allow_raw; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);

      if (region->user_file && !known_content (region->data, chip))
        {
          set_unknown_content_error (error, region->name, region->data);
          return FALSE;
        }
    }

  if (self->uf2_family != 0 &&
      !check_uf2_family (self->uf2_path, self->uf2_family,
                         chip, error))
    return FALSE;

  return TRUE;
}

/* Images: what chip they are for, and a real image at the bootloader
 * offset (also inside a merged binary written at 0). */
static gboolean
validate_images (GlintFlashPlan  *self,
                 const char      *chip,
                 GError         **error)
{
  const char *effective_chip = chip;
  gboolean bootloader_known;
  guint32 bootloader_offset = 0;

  if (effective_chip == NULL)
    effective_chip = chip_from_images (self);
  bootloader_known = effective_chip != NULL;
  if (bootloader_known)
    bootloader_offset = glint_image_chip_bootloader_offset (effective_chip);

  for (guint i = 0; i < self->regions->len; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);
      gsize size = g_bytes_get_size (region->data);
      gboolean covers_bootloader = bootloader_known &&
                                   region->offset <= bootloader_offset &&
                                   bootloader_offset < region->offset + size;

      if (covers_bootloader && region->offset != bootloader_offset)
        {
          /* A merged binary: check its start too, if it is an image. */
          if (!check_image (self, region, 0, &effective_chip, FALSE, error))
            return FALSE;
          if (!check_image (self, region, bootloader_offset - region->offset,
                            &effective_chip, TRUE, error))
            return FALSE;
        }
      else if (!check_image (self, region, 0, &effective_chip, covers_bootloader, error))
        {
          return FALSE;
        }

      /* Only a hint: custom partition tables may put data there. */
      if (region->offset == GLINT_FLASH_PLAN_APP_OFFSET && !covers_bootloader &&
          !glint_image_looks_like_image (region->data))
        add_warning (self, _("“%s” at 0x%x is not an app image"), region->name,
                     region->offset);
    }

  return TRUE;
}

/* A manifest with several builds takes the one for @chip: its regions
 * and its chip become the plan's. The manifest stays: another board of
 * another chip takes its own build from the same plan. */
static gboolean
choose_build (GlintFlashPlan  *self,
              const char      *chip,
              GError         **error)
{
  g_autoptr(GlintFlashPlan) chosen = NULL;

  chosen = plan_from_manifest (self->manifest, self->manifest_path,
                               glint_image_chip_to_family (chip), error);
  if (chosen == NULL)
    return FALSE;

  g_array_set_size (self->regions, 0);
  for (guint i = 0; i < chosen->regions->len; i++)
    {
      Region *region = &g_array_index (chosen->regions, Region, i);

      add_region (self, region->offset, region->data, region->path, region->name,
                  region->encrypted);
    }
  set_string (&self->chip, chosen->chip);
  set_string (&self->built_for, chip);
  return TRUE;
}

/**
 * glint_flash_plan_get_build_chips:
 * @self: a #GlintFlashPlan
 *
 * A plan from a manifest with builds for several chips, read without a
 * chip, has no regions until the board's chip chooses its build:
 * glint_flash_plan_validate() with a chip does that.
 *
 * Returns: (nullable): the chip families of the builds ("ESP32, ESP32-S3")
 *   of a manifest with several builds, whose regions are those of the
 *   build last chosen (none before); %NULL for any other plan
 */
const char *
glint_flash_plan_get_build_chips (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->build_chips;
}

/**
 * glint_flash_plan_validate:
 * @self: a #GlintFlashPlan
 * @chip: (nullable): the connected chip; %NULL uses the plan's chip, or
 *   the chip the images are built for
 * @flash_size_bytes: the flash size, 0 when unknown (the plan's flash_size
 *   setting is used then, if any)
 * @error: return location for a #GError
 *
 * Reads every file that is not loaded yet and checks the plan: regular,
 * non-empty files; 4 KiB aligned offsets; no overlaps; everything within
 * the flash; images built for @chip; a valid image at the bootloader
 * offset. Non-fatal findings go to glint_flash_plan_get_warnings().
 *
 * Returns: %TRUE if the plan can be flashed
 */
gboolean
glint_flash_plan_validate (GlintFlashPlan  *self,
                           const char      *chip,
                           guint64          flash_size_bytes,
                           GError         **error)
{
  const char *effective_chip;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_ptr_array_set_size (self->warnings, 0);
  g_ptr_array_add (self->warnings, NULL);

  effective_chip = chip != NULL ? chip : self->chip;
  if (effective_chip != NULL && !glint_image_chip_is_known (effective_chip))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   _("unknown chip “%s”"), effective_chip);
      return FALSE;
    }
  if (effective_chip != NULL)
    effective_chip = glint_image_chip_from_family (effective_chip);

  if (self->manifest != NULL)
    {
      /* not a warning: glint_flash_plan_get_build_chips() tells */
      if (effective_chip == NULL && self->built_for == NULL)
        return TRUE;
      if (effective_chip != NULL && g_strcmp0 (effective_chip, self->built_for) != 0 &&
          !choose_build (self, effective_chip, error))
        return FALSE;
    }

  if (self->regions->len == 0)
    {
      g_set_error_literal (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                           "nothing to flash");
      return FALSE;
    }

  if (flash_size_bytes == 0)
    flash_size_bytes = glint_flash_plan_parse_size (self->flash_size);

  /* Files first, so later messages can rely on data being there. */
  if (self->is_backup)
    {
      if (effective_chip != NULL && !g_str_equal (effective_chip, self->backup.chip))
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_WRONG_CHIP,
                       _("this backup was read from an %s, and this board is an %s: restore "
                         "it to the board it came from"),
                       glint_image_chip_to_family (self->backup.chip),
                       glint_image_chip_to_family (effective_chip));
          return FALSE;
        }
      /* the flash as it was: no image checks */
      return validate_load (self, effective_chip, error) &&
             validate_layout (self, flash_size_bytes, error);
    }

  return validate_load (self, effective_chip, error) &&
         validate_layout (self, flash_size_bytes, error) &&
         validate_content (self, effective_chip, error) &&
         validate_images (self, effective_chip, error);
}

/**
 * glint_flash_plan_patch_bootloader:
 * @self: a validated #GlintFlashPlan
 * @chip: (nullable): the connected chip; %NULL uses the plan's chip
 * @detected_flash_size: (nullable): the size read from the flash ID, e.g.
 *   "4MB", used when the plan's flash size is "detect"
 * @error: return location for a #GError
 *
 * Writes the plan's flash settings (mode, frequency, size; %NULL or "keep"
 * keeps the image's) into the header of the region at the chip's
 * bootloader offset, as esptool does (protocol.md §8.4), fixing up the
 * SHA-256 digest. Like esptool, a region there that is not an image is
 * left alone with a warning, and nothing else is touched (a merged binary
 * at 0 on a chip whose bootloader lives at 0x1000 keeps its header).
 *
 * Returns: %TRUE on success, also when there was nothing to patch
 */
gboolean
glint_flash_plan_patch_bootloader (GlintFlashPlan  *self,
                                   const char      *chip,
                                   const char      *detected_flash_size,
                                   GError         **error)
{
  const char *flash_size = self->flash_size;
  guint32 bootloader_offset;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (chip == NULL)
    chip = self->chip;
  if (chip == NULL || !glint_image_chip_is_known (chip))
    {
      g_set_error (error, GLINT_ERROR, GLINT_ERROR_UNSUPPORTED_CHIP,
                   _("cannot find the bootloader offset for chip “%s”"),
                   chip != NULL ? chip : "(unknown)");
      return FALSE;
    }

  /* a backup goes back byte for byte */
  if (self->is_backup)
    return TRUE;

  if (g_strcmp0 (flash_size, "detect") == 0)
    flash_size = detected_flash_size;

  bootloader_offset = glint_image_chip_bootloader_offset (chip);
  for (guint i = 0; i < self->regions->len; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);
      GBytes *patched;

      if (region->offset != bootloader_offset)
        continue;

      if (region->data == NULL)
        {
          g_set_error (error, GLINT_ERROR, GLINT_ERROR_INVALID_PLAN,
                       _("“%s” has not been read yet; validate the plan first"), region->name);
          return FALSE;
        }

      if (!glint_image_looks_like_image (region->data))
        {
          add_warning (self, _("“%s” at 0x%x is not an image; its flash settings are "
                               "left as they are"), region->name, region->offset);
          continue;
        }

      patched = glint_image_patch_header (region->data, chip, self->flash_mode,
                                          self->flash_freq, flash_size, error);
      if (patched == NULL)
        {
          g_prefix_error (error, "“%s”: ", region->name);
          return FALSE;
        }
      g_bytes_unref (region->data);
      region->data = patched;
    }

  return TRUE;
}

const char * const *
glint_flash_plan_get_warnings (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return (const char * const *) self->warnings->pdata;
}

static Region *
get_region (GlintFlashPlan *self,
            guint           index)
{
  g_return_val_if_fail (index < self->regions->len, NULL);

  return &g_array_index (self->regions, Region, index);
}

guint
glint_flash_plan_get_n_regions (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), 0);

  return self->regions->len;
}

guint32
glint_flash_plan_get_region_offset (GlintFlashPlan *self,
                                    guint           index)
{
  Region *region;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), 0);
  region = get_region (self, index);
  return region != NULL ? region->offset : 0;
}

/**
 * glint_flash_plan_get_region_data:
 * @self: a #GlintFlashPlan
 * @index: region index
 *
 * Returns: (transfer none) (nullable): the contents; %NULL for files not
 *   read yet (glint_flash_plan_validate() reads them)
 */
GBytes *
glint_flash_plan_get_region_data (GlintFlashPlan *self,
                                  guint           index)
{
  Region *region;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);
  region = get_region (self, index);
  return region != NULL ? region->data : NULL;
}

const char *
glint_flash_plan_get_region_name (GlintFlashPlan *self,
                                  guint           index)
{
  Region *region;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);
  region = get_region (self, index);
  return region != NULL ? region->name : NULL;
}

const char *
glint_flash_plan_get_region_path (GlintFlashPlan *self,
                                  guint           index)
{
  Region *region;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);
  region = get_region (self, index);
  return region != NULL ? region->path : NULL;
}

gboolean
glint_flash_plan_get_region_encrypted (GlintFlashPlan *self,
                                       guint           index)
{
  Region *region;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), FALSE);
  region = get_region (self, index);
  return region != NULL ? region->encrypted : FALSE;
}

/**
 * glint_flash_plan_get_total_bytes:
 * @self: a #GlintFlashPlan
 *
 * Returns: the sum of the sizes of the loaded regions
 */
guint64
glint_flash_plan_get_total_bytes (GlintFlashPlan *self)
{
  guint64 total = 0;

  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), 0);

  for (guint i = 0; i < self->regions->len; i++)
    {
      Region *region = &g_array_index (self->regions, Region, i);

      if (region->data != NULL)
        total += g_bytes_get_size (region->data);
    }

  return total;
}

const char *
glint_flash_plan_get_chip (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->chip;
}

void
glint_flash_plan_set_chip (GlintFlashPlan *self,
                           const char     *chip)
{
  g_return_if_fail (GLINT_IS_FLASH_PLAN (self));

  set_string (&self->chip, chip);
}

const char *
glint_flash_plan_get_flash_mode (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->flash_mode;
}

const char *
glint_flash_plan_get_flash_freq (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->flash_freq;
}

const char *
glint_flash_plan_get_flash_size (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->flash_size;
}

void
glint_flash_plan_set_flash_settings (GlintFlashPlan *self,
                                     const char     *flash_mode,
                                     const char     *flash_freq,
                                     const char     *flash_size)
{
  g_return_if_fail (GLINT_IS_FLASH_PLAN (self));

  set_string (&self->flash_mode, flash_mode);
  set_string (&self->flash_freq, flash_freq);
  set_string (&self->flash_size, flash_size);
}

/**
 * glint_flash_plan_get_before:
 * @self: a #GlintFlashPlan
 *
 * Returns: (nullable): the reset mode before flashing the build asks for,
 *   e.g. "default-reset"
 */
const char *
glint_flash_plan_get_before (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->before;
}

/**
 * glint_flash_plan_get_after:
 * @self: a #GlintFlashPlan
 *
 * Returns: (nullable): the reset mode after flashing, e.g. "hard-reset"
 */
const char *
glint_flash_plan_get_after (GlintFlashPlan *self)
{
  g_return_val_if_fail (GLINT_IS_FLASH_PLAN (self), NULL);

  return self->after;
}

/**
 * glint_flash_plan_set_allow_raw:
 * @self: a #GlintFlashPlan
 * @allow_raw: whether files given with an offset may hold anything
 *
 * Files given as FILE@OFFSET (glint_flash_plan_new_from_args()) must be
 * firmware: images, merged images, partition tables, erased data or ELF
 * files. glint_flash_plan_validate() refuses anything else with
 * %GLINT_ERROR_UNKNOWN_CONTENT, unless raw data was asked for here.
 */
void
glint_flash_plan_set_allow_raw (GlintFlashPlan *self,
                                gboolean        allow_raw)
{
  g_return_if_fail (GLINT_IS_FLASH_PLAN (self));

  self->allow_raw = allow_raw;
}

/**
 * glint_flash_plan_set_chip_revision:
 * @self: a #GlintFlashPlan
 * @revision_full: the connected chip's revision as major * 100 + minor,
 *   or -1 when unknown
 *
 * With a known revision, glint_flash_plan_validate() refuses images whose
 * header asks for another chip revision (%GLINT_ERROR_WRONG_REVISION).
 */
void
glint_flash_plan_set_chip_revision (GlintFlashPlan *self,
                                    int             revision_full)
{
  g_return_if_fail (GLINT_IS_FLASH_PLAN (self));

  self->chip_revision = revision_full;
}

/**
 * glint_flash_plan_find_sample:
 *
 * The sample firmware for the Demo board (data/sample/): a manifest with a
 * small full build for every chip, made when Glint is built and installed
 * with its data; `GLINT_SAMPLE_DIR` names another folder (the build's, for
 * `meson devenv` and the tests).
 *
 * Returns: (transfer full) (nullable): the path of its manifest.json, or
 *   %NULL when it is not installed
 */
char *
glint_flash_plan_find_sample (void)
{
  const char *dir = g_getenv ("GLINT_SAMPLE_DIR");
  g_autofree char *path = g_build_filename (dir != NULL && *dir != '\0' ? dir
                                                                        : PACKAGE_DATADIR "/sample",
                                            "manifest.json", NULL);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? g_steal_pointer (&path) : NULL;
}
