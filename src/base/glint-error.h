/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-types.h"

G_BEGIN_DECLS

#define GLINT_ERROR (glint_error_quark ())

/**
 * GlintError:
 *
 * Error codes of the %GLINT_ERROR domain. Every code has a user-facing hint
 * (glint_error_get_hint()). New codes are always added at the end.
 */
typedef enum /*< enum,prefix=GLINT >*/
{
  GLINT_ERROR_FAILED,
  GLINT_ERROR_TIMEOUT,
  GLINT_ERROR_NO_SYNC,
  GLINT_ERROR_INVALID_RESPONSE,
  GLINT_ERROR_UNSUPPORTED_CHIP,
  GLINT_ERROR_IMAGE_TOO_LARGE,
  GLINT_ERROR_CHECKSUM_MISMATCH,
  GLINT_ERROR_PORT_BUSY,
  GLINT_ERROR_PERMISSION_DENIED,
  GLINT_ERROR_INVALID_ADDRESS,      /* a port name or URL that cannot be used */
  GLINT_ERROR_PORT_NOT_FOUND,       /* no such local serial port */
  GLINT_ERROR_CONNECTION_FAILED,    /* a remote board could not be reached */
  GLINT_ERROR_DISCONNECTED,         /* the link went away mid-operation */
  GLINT_ERROR_NOT_SUPPORTED,        /* the stream or server cannot do what was asked */
  GLINT_ERROR_PROTOCOL,             /* the peer broke the telnet/RFC 2217 protocol */
  GLINT_ERROR_INVALID_ARGUMENT,     /* a value given by the user is out of range */
  GLINT_ERROR_INVALID_IMAGE,        /* not an app/bootloader image, or truncated */
  GLINT_ERROR_IMAGE_CORRUPT,        /* image checksum or SHA-256 digest does not match */
  GLINT_ERROR_INVALID_FILE,         /* empty file, directory or special file given */
  GLINT_ERROR_INVALID_PLAN,         /* bad offset, overlap, unusable build dir/manifest */
  GLINT_ERROR_WRONG_CHIP,           /* the firmware is built for another chip */
  GLINT_ERROR_INVALID_STUB,         /* a flasher stub file cannot be used */
  GLINT_ERROR_STUB_NOT_FOUND,       /* no usable flasher stub is installed */
  GLINT_ERROR_FLASH_FAILED,         /* the chip could not read, write or erase its flash */
  GLINT_ERROR_WRONG_REVISION,       /* the firmware needs another chip revision */
  GLINT_ERROR_NOT_VERIFIED,         /* written, but the chip cannot tell whether correctly */
  GLINT_ERROR_UNKNOWN_CONTENT,      /* a file that is no firmware format Glint knows */
  GLINT_ERROR_CHIP_RESET,           /* the chip reset mid-job and cannot be brought back */
  GLINT_ERROR_DOWNLOAD_FAILED,      /* a manifest URL or one of its parts could not be fetched */
  GLINT_ERROR_INSECURE_DOWNLOAD,    /* plain http:// that the user has not agreed to */
} GlintError;

GQuark       glint_error_quark    (void);
const char  *glint_error_get_hint (const GError *error);

G_END_DECLS
