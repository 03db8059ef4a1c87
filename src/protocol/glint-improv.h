/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <glib.h>

#include "glint-types.h"

G_BEGIN_DECLS

/* Improv Serial (docs/protocol.md §13): the Wi-Fi set-up protocol an app
 * may speak on its console after boot. Pure: bytes in, bytes out. */

#define GLINT_IMPROV_VERSION      1
#define GLINT_IMPROV_BAUD         115200
#define GLINT_IMPROV_HEADER       "IMPROV"
#define GLINT_IMPROV_HEADER_LEN   6
#define GLINT_IMPROV_MAX_DATA     255
#define GLINT_IMPROV_MAX_PACKET   (GLINT_IMPROV_HEADER_LEN + 3 + GLINT_IMPROV_MAX_DATA + 1)

typedef enum
{
  GLINT_IMPROV_TYPE_CURRENT_STATE = 0x01,
  GLINT_IMPROV_TYPE_ERROR_STATE   = 0x02,
  GLINT_IMPROV_TYPE_RPC_COMMAND   = 0x03,
  GLINT_IMPROV_TYPE_RPC_RESULT    = 0x04,
} GlintImprovType;

typedef enum
{
  GLINT_IMPROV_COMMAND_WIFI_SETTINGS   = 0x01,
  GLINT_IMPROV_COMMAND_CURRENT_STATE   = 0x02,
  GLINT_IMPROV_COMMAND_DEVICE_INFO     = 0x03,
  GLINT_IMPROV_COMMAND_WIFI_NETWORKS   = 0x04,
} GlintImprovCommand;

typedef enum
{
  GLINT_IMPROV_STATE_AUTHORIZATION_REQUIRED = 0x01,
  GLINT_IMPROV_STATE_AUTHORIZED             = 0x02,
  GLINT_IMPROV_STATE_PROVISIONING           = 0x03,
  GLINT_IMPROV_STATE_PROVISIONED            = 0x04,
} GlintImprovState;

typedef enum
{
  GLINT_IMPROV_ERROR_NONE              = 0x00,
  GLINT_IMPROV_ERROR_INVALID_RPC       = 0x01,
  GLINT_IMPROV_ERROR_UNKNOWN_RPC       = 0x02,
  GLINT_IMPROV_ERROR_UNABLE_TO_CONNECT = 0x03,
  GLINT_IMPROV_ERROR_BAD_HOSTNAME      = 0x05,
  GLINT_IMPROV_ERROR_UNKNOWN           = 0xFF,
} GlintImprovError;


/**
 * GlintImprovPacketFunc:
 * @type: the packet type (a #GlintImprovType, or another value a newer
 *   device sends)
 * @data: its data, checksum checked
 * @len: their length (0 to 255)
 * @user_data: data given to glint_improv_decoder_feed()
 *
 * Called for each complete packet with a valid checksum.
 */
typedef void (*GlintImprovPacketFunc) (guint8        type,
                                       const guint8 *data,
                                       gsize         len,
                                       gpointer      user_data);

void                glint_improv_encode_packet        (guint8              type,
                                                       const guint8       *data,
                                                       gsize               len,
                                                       GByteArray         *out);
gboolean            glint_improv_encode_rpc           (guint8              type,
                                                       guint8              command,
                                                       const char * const *strings,
                                                       GByteArray         *out,
                                                       GError            **error);
GStrv               glint_improv_parse_rpc            (const guint8       *data,
                                                       gsize               len,
                                                       guint8             *command,
                                                       GError            **error);
const char         *glint_improv_state_name           (guint8              state);
const char         *glint_improv_error_name           (guint8              code);

GlintImprovDecoder *glint_improv_decoder_new          (void);
void                glint_improv_decoder_free         (GlintImprovDecoder *self);
void                glint_improv_decoder_reset        (GlintImprovDecoder *self);
void                glint_improv_decoder_feed         (GlintImprovDecoder *self,
                                                       const guint8       *data,
                                                       gsize               len,
                                                       GlintImprovPacketFunc func,
                                                       gpointer            user_data);
guint64             glint_improv_decoder_get_bad_packets (GlintImprovDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintImprovDecoder, glint_improv_decoder_free)

G_END_DECLS
