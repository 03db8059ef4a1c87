/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

#include <gio/gio.h>

#include "glint-types.h"

G_BEGIN_DECLS

/* Telnet (RFC 854/855) command bytes */
#define GLINT_TELNET_SE    240
#define GLINT_TELNET_NOP   241
#define GLINT_TELNET_SB    250
#define GLINT_TELNET_WILL  251
#define GLINT_TELNET_WONT  252
#define GLINT_TELNET_DO    253
#define GLINT_TELNET_DONT  254
#define GLINT_TELNET_IAC   255

/* Options */
#define GLINT_TELNET_OPT_BINARY    0    /* RFC 856 */
#define GLINT_TELNET_OPT_ECHO      1
#define GLINT_TELNET_OPT_SGA       3    /* RFC 858 */
#define GLINT_TELNET_OPT_COM_PORT  44   /* RFC 2217 */

/* Longest subnegotiation payload accepted; RFC 2217 needs at most 5 bytes. */
#define GLINT_TELNET_SB_MAX 64

/* RFC 2217 COM-PORT-OPTION commands, client to server; the server answers
 * with the same command plus GLINT_RFC2217_SERVER_OFFSET. */
#define GLINT_RFC2217_SIGNATURE             0
#define GLINT_RFC2217_SET_BAUDRATE          1
#define GLINT_RFC2217_SET_DATASIZE          2
#define GLINT_RFC2217_SET_PARITY            3
#define GLINT_RFC2217_SET_STOPSIZE          4
#define GLINT_RFC2217_SET_CONTROL           5
#define GLINT_RFC2217_NOTIFY_LINESTATE      6
#define GLINT_RFC2217_NOTIFY_MODEMSTATE     7
#define GLINT_RFC2217_FLOWCONTROL_SUSPEND   8
#define GLINT_RFC2217_FLOWCONTROL_RESUME    9
#define GLINT_RFC2217_SET_LINESTATE_MASK    10
#define GLINT_RFC2217_SET_MODEMSTATE_MASK   11
#define GLINT_RFC2217_PURGE_DATA            12
#define GLINT_RFC2217_SERVER_OFFSET         100

/* SET-CONTROL values */
#define GLINT_RFC2217_CONTROL_REQUEST_FLOW  0
#define GLINT_RFC2217_CONTROL_NO_FLOW       1
#define GLINT_RFC2217_CONTROL_XON_XOFF      2
#define GLINT_RFC2217_CONTROL_HW_FLOW       3
#define GLINT_RFC2217_CONTROL_REQUEST_BREAK 4
#define GLINT_RFC2217_CONTROL_BREAK_ON      5
#define GLINT_RFC2217_CONTROL_BREAK_OFF     6
#define GLINT_RFC2217_CONTROL_REQUEST_DTR   7
#define GLINT_RFC2217_CONTROL_DTR_ON        8
#define GLINT_RFC2217_CONTROL_DTR_OFF       9
#define GLINT_RFC2217_CONTROL_REQUEST_RTS   10
#define GLINT_RFC2217_CONTROL_RTS_ON        11
#define GLINT_RFC2217_CONTROL_RTS_OFF       12

/* SET-PARITY / SET-STOPSIZE values */
#define GLINT_RFC2217_PARITY_NONE           1
#define GLINT_RFC2217_STOPSIZE_1            1

/* PURGE-DATA values */
#define GLINT_RFC2217_PURGE_RX              1
#define GLINT_RFC2217_PURGE_TX              2
#define GLINT_RFC2217_PURGE_BOTH            3

/* Encoders: all append to @out. */
void glint_telnet_escape             (GByteArray   *out,
                                      const guint8 *data,
                                      gsize         len);
void glint_telnet_append_negotiation (GByteArray   *out,
                                      guint8        verb,
                                      guint8        option);
void glint_telnet_append_subneg      (GByteArray   *out,
                                      guint8        option,
                                      const guint8 *payload,
                                      gsize         len);
void glint_telnet_append_com_port    (GByteArray   *out,
                                      guint8        command,
                                      const guint8 *value,
                                      gsize         len);
void glint_telnet_append_com_port_u8 (GByteArray   *out,
                                      guint8        command,
                                      guint8        value);
void glint_telnet_append_com_port_u32 (GByteArray  *out,
                                       guint8       command,
                                       guint32      value);

/* Reads the 4-byte network-order value of a COM-PORT-OPTION command
 * (SET-BAUDRATE); the counterpart of glint_telnet_append_com_port_u32(). */
guint32 glint_telnet_com_port_get_u32 (const guint8 *value);

/* Decoder */
typedef enum
{
  GLINT_TELNET_EVENT_NEGOTIATION,      /* @verb (WILL/WONT/DO/DONT) and @option */
  GLINT_TELNET_EVENT_SUBNEGOTIATION,   /* @option and the unescaped @payload */
} GlintTelnetEventType;

typedef struct
{
  GlintTelnetEventType  type;
  guint8                verb;
  guint8                option;
  const guint8         *payload;
  gsize                 payload_len;
} GlintTelnetEvent;

typedef void (*GlintTelnetEventFunc) (const GlintTelnetEvent *event,
                                      gpointer                user_data);

typedef struct _GlintTelnetDecoder GlintTelnetDecoder;

GlintTelnetDecoder *glint_telnet_decoder_new           (GlintTelnetEventFunc  func,
                                                        gpointer              user_data);
void                glint_telnet_decoder_free          (GlintTelnetDecoder   *self);
void                glint_telnet_decoder_feed          (GlintTelnetDecoder   *self,
                                                        const guint8         *data,
                                                        gsize                 len,
                                                        GByteArray           *out);
guint               glint_telnet_decoder_get_malformed (GlintTelnetDecoder   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GlintTelnetDecoder, glint_telnet_decoder_free)

/* Option negotiation state per RFC 1143 (the "Q method", without the
 * queue bits): answers only on state changes, so two peers never loop. */
typedef enum
{
  GLINT_TELNET_Q_NO,
  GLINT_TELNET_Q_YES,
  GLINT_TELNET_Q_WANTNO,
  GLINT_TELNET_Q_WANTYES,
} GlintTelnetQState;

typedef enum
{
  GLINT_TELNET_OPTION_UNCHANGED,
  GLINT_TELNET_OPTION_ENABLED,
  GLINT_TELNET_OPTION_DISABLED,
  GLINT_TELNET_OPTION_REFUSED,    /* our own request was refused */
} GlintTelnetOptionChange;

typedef struct
{
  guint8   us[256];            /* options on our side (WILL/WONT, we receive DO/DONT) */
  guint8   him[256];           /* options on the peer's side (DO/DONT, we receive WILL/WONT) */
  gboolean accept_us[256];
  gboolean accept_him[256];
} GlintTelnetOptions;

void                    glint_telnet_options_init          (GlintTelnetOptions *self);
void                    glint_telnet_options_init_com_port (GlintTelnetOptions *self);
void                    glint_telnet_options_accept        (GlintTelnetOptions *self,
                                                            guint8              option,
                                                            gboolean            local,
                                                            gboolean            remote);
void                    glint_telnet_options_request       (GlintTelnetOptions *self,
                                                            guint8              verb,
                                                            guint8              option,
                                                            GByteArray         *out);
GlintTelnetOptionChange glint_telnet_options_receive       (GlintTelnetOptions *self,
                                                            guint8              verb,
                                                            guint8              option,
                                                            GByteArray         *out);

/* Socket I/O of an RFC 2217 session, the same at both ends. Each operation
 * holds only a weak reference to @owner, so a pending read or write never
 * keeps it alive: the callback runs with @owner referenced if it still
 * exists, and not at all if it is gone. @error is (transfer full). */
typedef void (*GlintTelnetWrittenFunc) (GObject      *owner,
                                        GError       *error);
typedef void (*GlintTelnetReadFunc)    (GObject      *owner,
                                        const guint8 *data,
                                        gssize        len,
                                        GError       *error);

void glint_telnet_write_queue_async (GObject                 *owner,
                                     GIOStream               *connection,
                                     GByteArray             **queue,
                                     GCancellable            *cancellable,
                                     GlintTelnetWrittenFunc   done);
void glint_telnet_read_async        (GObject                 *owner,
                                     GIOStream               *connection,
                                     GCancellable            *cancellable,
                                     GlintTelnetReadFunc      done);

G_END_DECLS
