/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "glint-error.h"

G_DEFINE_QUARK (glint-error-quark, glint_error)

/**
 * glint_error_get_hint:
 * @error: a #GError
 *
 * Returns: (transfer none) (nullable): a translated sentence telling the user
 *   what to do next about @error, or %NULL when there is nothing useful to say
 *   (for example for cancellation).
 */
const char *
glint_error_get_hint (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;

  /* GIO's own errors keep their domain; a firmware file that is missing
   * or unreadable must not send the user to check the cable. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return _("Check the file or port name and try again.");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE))
    return _("Check that the firmware file is a regular file you are allowed to read.");

  if (error->domain != GLINT_ERROR)
    return _("Check the connection to the board and try again.");

  switch ((GlintError) error->code)
    {
    case GLINT_ERROR_TIMEOUT:
      return _("The board stopped answering. Check the cable or the network link, "
               "or raise the timeout for slow remote links.");
    case GLINT_ERROR_NO_SYNC:
      return _("The chip did not answer in download mode. Hold BOOT while pressing "
               "RESET, then try again.");
    case GLINT_ERROR_INVALID_RESPONSE:
    case GLINT_ERROR_CHECKSUM_MISMATCH:
      return _("The data was garbled on the way. Try a shorter cable or a lower speed.");
    case GLINT_ERROR_UNSUPPORTED_CHIP:
      return _("This chip is not supported by this version of Glint.");
    case GLINT_ERROR_IMAGE_TOO_LARGE:
      return _("The firmware does not fit into the flash of this board.");
    case GLINT_ERROR_PORT_BUSY:
      return _("Another program is using the port. Close serial monitors "
               "(Arduino IDE, screen, minicom) and try again.");
    case GLINT_ERROR_PERMISSION_DENIED:
      return _("You are not allowed to use this serial port. Join the group that owns "
               "it (the message names it: “dialout” on Debian and Ubuntu, “uucp” on Arch), "
               "then log out and back in. In Flatpak, Glint needs the “all devices” "
               "permission.");
    case GLINT_ERROR_INVALID_ADDRESS:
      return _("Type a port such as /dev/ttyUSB0, or a URL such as "
               "rfc2217://host:4000 or socket://host:3333.");
    case GLINT_ERROR_PORT_NOT_FOUND:
      return _("The port does not exist. Plug the board in, or pick another port.");
    case GLINT_ERROR_CONNECTION_FAILED:
      return _("Check the host name and port, and that the serial server is running.");
    case GLINT_ERROR_DISCONNECTED:
      return _("The connection to the board was lost. Reconnect it and try again; "
               "nothing is reported as flashed that was not verified.");
    case GLINT_ERROR_NOT_SUPPORTED:
      return _("The board, the port or the server cannot do this; the message says what "
               "is missing.");
    case GLINT_ERROR_PROTOCOL:
      return _("The server does not speak RFC 2217 correctly. Try a socket:// URL, or "
               "add “?ign_set_control” to the URL.");
    case GLINT_ERROR_INVALID_ARGUMENT:
      return _("Correct the value and try again.");
    case GLINT_ERROR_INVALID_IMAGE:
      return _("The file is not a firmware image for Espressif chips, or it is "
               "incomplete. Pick the .bin file from the build output again.");
    case GLINT_ERROR_IMAGE_CORRUPT:
      return _("The firmware file is damaged. Rebuild it or download it again.");
    case GLINT_ERROR_INVALID_FILE:
      return _("Pick a regular, non-empty firmware file.");
    case GLINT_ERROR_INVALID_PLAN:
      return _("Check the files and their flash offsets.");
    case GLINT_ERROR_WRONG_CHIP:
      return _("This firmware was built for another chip. Pick the build for "
               "the connected board.");
    case GLINT_ERROR_INVALID_STUB:
      return _("The flasher stub file is damaged. Reinstall esptool, or remove the "
               "file from the stub folder.");
    case GLINT_ERROR_STUB_NOT_FOUND:
      return _("Glint will use the chip's built-in loader, which is slower. For "
               "faster flashing, install esptool or put its stub files into "
               "~/.local/share/glint/stubs.");
    case GLINT_ERROR_FLASH_FAILED:
      return _("The chip could not read or write its flash. Try again; if it keeps "
               "failing, the board's power supply or its flash chip may be at fault.");
    case GLINT_ERROR_WRONG_REVISION:
      return _("Nothing was written. Pick a build whose minimum and maximum chip revision "
               "include this chip (ESP-IDF: the chip revision options in menuconfig), or "
               "connect a board of a matching revision.");
    case GLINT_ERROR_NOT_VERIFIED:
      return _("The chip accepted the data but cannot read it back here, so nothing checked "
               "it. Reset the board and check that the firmware starts. To accept an "
               "unverified write, turn off “Verify After Writing” (glint-cli: --no-verify).");
    case GLINT_ERROR_UNKNOWN_CONTENT:
      return _("Pick an app image (.bin), a merged image, an Intel HEX, UF2 or ELF file, a "
               "build folder or a manifest.json. To write this file to the flash as it is, "
               "give its offset on purpose (glint-cli: --raw FILE@OFFSET; the window asks "
               "first).");
    case GLINT_ERROR_CHIP_RESET:
      return _("Put the board into download mode by hand (hold BOOT while pressing RESET) "
               "and flash again: what was written already is not written twice. A board "
               "that keeps resetting while it is written needs a better power supply.");
    case GLINT_ERROR_DOWNLOAD_FAILED:
      return _("Nothing was written. Check the network and the link, then try again; if the "
               "server answers with an error, the installer may have moved: open its web page "
               "and copy the manifest link again.");
    case GLINT_ERROR_INSECURE_DOWNLOAD:
      return _("Nothing was written. Use the https:// link of the installer. To download over "
               "plain http anyway, agree when the window asks (glint-cli: --allow-http).");
    case GLINT_ERROR_FAILED:
    default:
      return _("Try again. If it keeps failing, copy the log and report a bug.");
    }
}
