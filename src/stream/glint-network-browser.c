/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#if HAVE_AVAHI
#include <avahi-client/client.h>
#include <avahi-client/lookup.h>
#include <avahi-common/error.h>
#include <avahi-glib/glib-watch.h>
#endif

#include "glint-network-browser-private.h"

/*
 * Boards on the network: ser2net 4 announces each connection whose options
 * say `mdns: true` as an `_iostream._tcp` service, with TXT records
 * `provider=ser2net`, `gensiostack=telnet(rfc2217),tcp` (the gensio stack a
 * client speaks) and, with `mdns-sysattrs: true`, what sysfs says of the
 * USB adapter (idVendor, idProduct, serial, manufacturer, product).
 *
 * The browser asks Avahi on the system bus (the daemon does the multicast;
 * a Flatpak needs --system-talk-name=org.freedesktop.Avahi). Each service
 * found is resolved once; the list holds one entry per service name, its
 * IPv4 address where it has one. Without Avahi the browser says so once
 * (the `unavailable` property) and lists nothing; when the daemon comes
 * (back), browsing starts (again).
 */

/* Boards ---------------------------------------------------------------------- */

GlintNetworkBoard *
glint_network_board_copy (const GlintNetworkBoard *self)
{
  GlintNetworkBoard *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (GlintNetworkBoard, 1);
  copy->name = g_strdup (self->name);
  copy->host = g_strdup (self->host);
  copy->address = g_strdup (self->address);
  copy->port = self->port;
  copy->url = g_strdup (self->url);
  copy->adapter = g_strdup (self->adapter);
  copy->usb = self->usb != NULL ? glint_usb_identity_copy (self->usb) : NULL;

  return copy;
}

void
glint_network_board_free (GlintNetworkBoard *self)
{
  if (self == NULL)
    return;

  g_free (self->name);
  g_free (self->host);
  g_free (self->address);
  g_free (self->url);
  g_free (self->adapter);
  g_clear_pointer (&self->usb, glint_usb_identity_free);
  g_free (self);
}

gboolean
glint_network_board_equal (const GlintNetworkBoard *a,
                           const GlintNetworkBoard *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->host, b->host) == 0 &&
         g_strcmp0 (a->url, b->url) == 0 &&
         g_strcmp0 (a->adapter, b->adapter) == 0 &&
         glint_usb_identity_equal (a->usb, b->usb);
}

static const char *
txt_lookup (const char *const *txt,
            const char        *key)
{
  gsize len = strlen (key);

  for (gsize i = 0; txt != NULL && txt[i] != NULL; i++)
    if (g_ascii_strncasecmp (txt[i], key, len) == 0 && txt[i][len] == '=')
      return txt[i] + len + 1;

  return NULL;
}

/* A USB id as sysfs writes it: four hex digits. */
static gboolean
parse_usb_id (const char *text,
              guint16    *id)
{
  guint64 value;

  if (text == NULL || strlen (text) != 4 ||
      !g_ascii_string_to_unsigned (text, 16, 0, 0xffff, &value, NULL))
    return FALSE;
  *id = value;

  return TRUE;
}

/**
 * glint_network_board_new_from_txt:
 * @name: the service name
 * @host: the host name
 * @address: the address it resolved to (IPv6 without brackets)
 * @port: the TCP port
 * @txt: (nullable): the TXT strings, `key=value` each
 *
 * Makes a board of a resolved `_iostream._tcp` service: the URL from the
 * `gensiostack` record (RFC 2217 where it names rfc2217, a plain socket
 * otherwise), the adapter from ser2net's `mdns-sysattrs` records.
 */
GlintNetworkBoard *
glint_network_board_new_from_txt (const char        *name,
                                  const char        *host,
                                  const char        *address,
                                  guint16            port,
                                  const char *const *txt)
{
  GlintNetworkBoard *self = g_new0 (GlintNetworkBoard, 1);
  const char *stack = txt_lookup (txt, "gensiostack");
  const char *manufacturer = txt_lookup (txt, "manufacturer");
  const char *product = txt_lookup (txt, "product");
  gboolean rfc2217 = stack != NULL && strstr (stack, "rfc2217") != NULL;
  gboolean v6 = strchr (address, ':') != NULL;
  guint16 vid, pid;

  self->name = g_strdup (name);
  self->host = g_strdup (host);
  self->address = g_strdup (address);
  self->port = port;
  self->url = g_strdup_printf ("%s://%s%s%s:%u", rfc2217 ? "rfc2217" : "socket",
                               v6 ? "[" : "", address, v6 ? "]" : "", port);
  if (manufacturer != NULL && *manufacturer != '\0' && product != NULL && *product != '\0')
    self->adapter = g_strdup_printf ("%s %s", manufacturer, product);
  else if (product != NULL && *product != '\0')
    self->adapter = g_strdup (product);
  if (parse_usb_id (txt_lookup (txt, "idVendor"), &vid) &&
      parse_usb_id (txt_lookup (txt, "idProduct"), &pid))
    {
      const char *serial = txt_lookup (txt, "serial");

      self->usb = glint_usb_identity_new (vid, pid,
                                          serial != NULL && *serial != '\0' ? serial : NULL,
                                          NULL);
    }

  return self;
}

/**
 * glint_network_board_describe:
 *
 * One line: the service name, where it is and the adapter, e.g.
 * `lab-esp32-1 on lab.local:4001, Silicon Labs CP2102 [10c4:ea60 0001]`.
 */
char *
glint_network_board_describe (const GlintNetworkBoard *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  /* TRANSLATORS: a board on the network: its name, then host:port */
  g_string_append_printf (text, _("%s on %s:%u"), self->name, self->host, self->port);
  if (self->adapter != NULL)
    g_string_append_printf (text, ", %s", self->adapter);
  if (self->usb != NULL)
    {
      g_autofree char *id = glint_usb_identity_to_string (self->usb);

      g_string_append_printf (text, " [%s]", id);
    }

  return g_string_free (text, FALSE);
}

/* The browser ------------------------------------------------------------------ */

/* How long Avahi may take to answer at start before the browser says it
 * does not: it answers in milliseconds where it runs, and a bus or daemon
 * that hangs would otherwise keep the list empty without a word. */
#define ANSWER_BOUND_MS 3000

#if HAVE_AVAHI

/*
 * Every call into libavahi-client may wait on D-Bus: avahi_client_new()
 * asks the bus and the daemon with blocking calls (25 s each where one
 * does not answer), so do avahi_service_browser_new() and
 * avahi_service_resolver_new(). So the client lives in a thread of its own,
 * with its own main context, and hands the browser what it knows (the
 * boards, why it cannot look, whether it has settled) as a snapshot in the
 * browser's context. The thread holds a reference to the Worker; the
 * browser drops its own in dispose and asks the thread to end, which it
 * does as soon as the call it waits in returns.
 */
typedef struct
{
  gatomicrefcount      ref;
  GMainContext        *owner_context;  /* the browser's */
  GlintNetworkBrowser *owner;          /* owner's thread only; NULL once disposed */
  GMainContext        *context;        /* the thread's */
  gint                 stopping;       /* atomic */

  /* the snapshot, under lock */
  GMutex               lock;
  GPtrArray           *boards;
  char                *unavailable;
  gboolean             settled;
  gboolean             answered;       /* the first client start returned */
  gboolean             posted;         /* an apply_cb is on its way */

  /* the thread's only */
  AvahiGLibPoll       *poll;
  AvahiClient         *client;
  AvahiServiceBrowser *browser;
  GPtrArray           *instances;      /* of Instance */
  gboolean             all_for_now;
  GSource             *restart;        /* a new client after the bus went away */
} Worker;

static void
worker_unref (Worker *worker)
{
  if (!g_atomic_ref_count_dec (&worker->ref))
    return;
  g_main_context_unref (worker->owner_context);
  g_main_context_unref (worker->context);
  g_mutex_clear (&worker->lock);
  g_clear_pointer (&worker->boards, g_ptr_array_unref);
  g_free (worker->unavailable);
  g_free (worker);
}

static Worker *
worker_ref (Worker *worker)
{
  g_atomic_ref_count_inc (&worker->ref);
  return worker;
}
#endif

struct _GlintNetworkBrowser
{
  GObject              parent_instance;

  GPtrArray           *boards;        /* of GlintNetworkBoard, sorted by name */
  char                *unavailable;
  gboolean             settled;

#if HAVE_AVAHI
  Worker              *worker;
  guint                answer_bound_ms;
  GSource             *bound;         /* until the worker's first answer */
#endif
};

G_DEFINE_FINAL_TYPE (GlintNetworkBrowser, glint_network_browser, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (GlintNetworkBoard, glint_network_board,
                     glint_network_board_copy, glint_network_board_free)

enum {
  PROP_0,
  PROP_BOARDS,
  PROP_UNAVAILABLE,
  PROP_SETTLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#if HAVE_AVAHI
static void
set_boards (GlintNetworkBrowser *self,
            GPtrArray           *boards)
{
  gboolean same = self->boards != NULL && self->boards->len == boards->len;

  for (guint i = 0; same && i < boards->len; i++)
    same = glint_network_board_equal (g_ptr_array_index (self->boards, i),
                                      g_ptr_array_index (boards, i));
  if (same)
    {
      g_ptr_array_unref (boards);
      return;
    }
  g_clear_pointer (&self->boards, g_ptr_array_unref);
  self->boards = boards;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BOARDS]);
}
#endif

static void
set_settled (GlintNetworkBrowser *self,
             gboolean             settled)
{
  if (self->settled == settled)
    return;
  self->settled = settled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTLED]);
}

static void
set_unavailable (GlintNetworkBrowser *self,
                 const char          *why)
{
  if (g_strcmp0 (self->unavailable, why) == 0)
    return;
  g_free (self->unavailable);
  self->unavailable = g_strdup (why);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNAVAILABLE]);
}

#if HAVE_AVAHI

/* In the browser's context: what the worker last said. Nothing before its
 * first start returned, so that a bound that ran out is not taken back by
 * a state the worker passed through while it waited. */
static gboolean
apply_cb (gpointer user_data)
{
  Worker *worker = user_data;
  GlintNetworkBrowser *self = worker->owner;
  g_autoptr(GPtrArray) boards = NULL;
  g_autofree char *unavailable = NULL;
  gboolean settled, answered;

  g_mutex_lock (&worker->lock);
  boards = g_ptr_array_ref (worker->boards);
  unavailable = g_strdup (worker->unavailable);
  settled = worker->settled;
  answered = worker->answered;
  worker->posted = FALSE;
  g_mutex_unlock (&worker->lock);

  if (self == NULL || !answered)
    return G_SOURCE_REMOVE;

  if (self->bound != NULL)
    g_source_destroy (self->bound);
  g_clear_pointer (&self->bound, g_source_unref);
  set_unavailable (self, unavailable);
  set_boards (self, g_steal_pointer (&boards));
  set_settled (self, settled);

  return G_SOURCE_REMOVE;
}

/* In the worker: hands the snapshot on (once for changes close together). */
static void
worker_post (Worker *worker)
{
  GSource *source;

  /* called with the lock held */
  if (worker->posted)
    return;
  worker->posted = TRUE;
  source = g_idle_source_new ();
  g_source_set_callback (source, apply_cb, worker_ref (worker), (GDestroyNotify) worker_unref);
  g_source_set_static_name (source, "glint-network-browser-apply");
  g_source_attach (source, worker->owner_context);
  g_source_unref (source);
}

static void
worker_set_boards (Worker    *worker,
                   GPtrArray *boards)
{
  g_mutex_lock (&worker->lock);
  g_clear_pointer (&worker->boards, g_ptr_array_unref);
  worker->boards = boards;
  worker_post (worker);
  g_mutex_unlock (&worker->lock);
}

static void
worker_set_unavailable (Worker     *worker,
                        const char *why)
{
  g_mutex_lock (&worker->lock);
  g_free (worker->unavailable);
  worker->unavailable = g_strdup (why);
  worker_post (worker);
  g_mutex_unlock (&worker->lock);
}

static void
worker_set_settled (Worker   *worker,
                    gboolean  settled)
{
  g_mutex_lock (&worker->lock);
  worker->settled = settled;
  worker_post (worker);
  g_mutex_unlock (&worker->lock);
}

typedef struct
{
  Worker               *worker;
  AvahiIfIndex          interface;
  AvahiProtocol         protocol;
  char                 *name;
  char                 *type;
  char                 *domain;
  AvahiServiceResolver *resolver;   /* while it resolves */
  GlintNetworkBoard    *board;      /* once resolved */
} Instance;

static void
instance_free (Instance *instance)
{
  g_clear_pointer (&instance->resolver, avahi_service_resolver_free);
  g_clear_pointer (&instance->board, glint_network_board_free);
  g_free (instance->name);
  g_free (instance->type);
  g_free (instance->domain);
  g_free (instance);
}

static gint
compare_boards (gconstpointer a,
                gconstpointer b)
{
  const GlintNetworkBoard *x = *(GlintNetworkBoard **) a;
  const GlintNetworkBoard *y = *(GlintNetworkBoard **) b;
  int by_name = g_utf8_collate (x->name, y->name);

  return by_name != 0 ? by_name : g_strcmp0 (x->url, y->url);
}

/* A link-local IPv6 address needs its interface, which a URL cannot carry. */
static gboolean
is_link_local (const GlintNetworkBoard *board)
{
  return g_ascii_strncasecmp (board->address, "fe80:", 5) == 0;
}

/* Which of the addresses a service is found at goes into its URL: one
 * another machine could use too (not loopback), IPv4 before IPv6. */
static int
address_rank (const Instance *instance)
{
  const char *address = instance->board->address;
  gboolean loopback = g_str_has_prefix (address, "127.") || g_str_equal (address, "::1");

  return (loopback ? 2 : 0) + (instance->protocol == AVAHI_PROTO_INET ? 0 : 1);
}

/* One board per service name (the same service is found once per
 * interface and address family), listed once all of its instances are
 * resolved, so that its URL does not change as they come in. */
static void
publish (Worker *worker)
{
  GPtrArray *boards = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_network_board_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) resolving_names = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean resolving = FALSE;

  for (guint i = 0; i < worker->instances->len; i++)
    {
      Instance *instance = g_ptr_array_index (worker->instances, i);

      if (instance->resolver != NULL)
        {
          resolving = TRUE;
          g_hash_table_add (resolving_names, instance->name);
        }
    }

  for (guint i = 0; i < worker->instances->len; i++)
    {
      Instance *instance = g_ptr_array_index (worker->instances, i);
      Instance *seen;

      if (instance->board == NULL || is_link_local (instance->board) ||
          g_hash_table_contains (resolving_names, instance->name))
        continue;
      seen = g_hash_table_lookup (by_name, instance->name);
      if (seen == NULL || address_rank (instance) < address_rank (seen))
        g_hash_table_insert (by_name, instance->name, instance);
    }

  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, by_name);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_ptr_array_add (boards, glint_network_board_copy (((Instance *) value)->board));
  }
  g_ptr_array_sort (boards, compare_boards);
  worker_set_boards (worker, boards);
  worker_set_settled (worker, worker->all_for_now && !resolving);
}

static char **
txt_to_strv (AvahiStringList *txt)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **strv;

  for (AvahiStringList *l = txt; l != NULL; l = avahi_string_list_get_next (l))
    {
      g_autofree char *text = g_strndup ((const char *) avahi_string_list_get_text (l),
                                         avahi_string_list_get_size (l));

      if (g_utf8_validate (text, -1, NULL))
        g_strv_builder_add (builder, text);
    }
  strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return strv;
}

static void
resolve_cb (AvahiServiceResolver   *resolver,
            AvahiIfIndex            interface,
            AvahiProtocol           protocol,
            AvahiResolverEvent      event,
            const char             *name,
            const char             *type,
            const char             *domain,
            const char             *host_name,
            const AvahiAddress     *address,
            uint16_t                port,
            AvahiStringList        *txt,
            AvahiLookupResultFlags  flags,
            void                   *user_data)
{
  Instance *instance = user_data;

  if (event == AVAHI_RESOLVER_FOUND)
    {
      char text[AVAHI_ADDRESS_STR_MAX];
      g_auto(GStrv) strings = txt_to_strv (txt);

      avahi_address_snprint (text, sizeof text, address);
      g_clear_pointer (&instance->board, glint_network_board_free);
      instance->board = glint_network_board_new_from_txt (name, host_name, text, port,
                                                          (const char *const *) strings);
      g_debug ("network board %s: %s (%s)", name, instance->board->url, host_name);
    }
  else
    {
      g_debug ("network board %s cannot be resolved: %s", instance->name,
               avahi_strerror (avahi_client_errno (avahi_service_resolver_get_client (resolver))));
    }

  /* resolved once: what a later change of the record says is not needed */
  g_clear_pointer (&instance->resolver, avahi_service_resolver_free);
  publish (instance->worker);
}

static Instance *
find_instance (Worker *worker,
               AvahiIfIndex         interface,
               AvahiProtocol        protocol,
               const char          *name,
               const char          *type,
               const char          *domain,
               guint               *index)
{
  for (guint i = 0; i < worker->instances->len; i++)
    {
      Instance *instance = g_ptr_array_index (worker->instances, i);

      if (instance->interface == interface && instance->protocol == protocol &&
          g_str_equal (instance->name, name) && g_str_equal (instance->type, type) &&
          g_str_equal (instance->domain, domain))
        {
          *index = i;
          return instance;
        }
    }

  return NULL;
}

static void
browse_cb (AvahiServiceBrowser    *browser,
           AvahiIfIndex            interface,
           AvahiProtocol           protocol,
           AvahiBrowserEvent       event,
           const char             *name,
           const char             *type,
           const char             *domain,
           AvahiLookupResultFlags  flags,
           void                   *user_data)
{
  Worker *worker = user_data;
  AvahiClient *client = avahi_service_browser_get_client (browser);
  Instance *instance;
  guint index;

  switch (event)
    {
    case AVAHI_BROWSER_NEW:
      if (find_instance (worker, interface, protocol, name, type, domain, &index) != NULL)
        break;
      instance = g_new0 (Instance, 1);
      instance->worker = worker;
      instance->interface = interface;
      instance->protocol = protocol;
      instance->name = g_strdup (name);
      instance->type = g_strdup (type);
      instance->domain = g_strdup (domain);
      g_ptr_array_add (worker->instances, instance);
      instance->resolver = avahi_service_resolver_new (client, interface, protocol, name, type,
                                                       domain, protocol, 0, resolve_cb,
                                                       instance);
      if (instance->resolver == NULL)
        g_debug ("cannot resolve %s: %s", name, avahi_strerror (avahi_client_errno (client)));
      publish (worker);
      break;

    case AVAHI_BROWSER_REMOVE:
      if (find_instance (worker, interface, protocol, name, type, domain, &index) != NULL)
        g_ptr_array_remove_index (worker->instances, index);
      publish (worker);
      break;

    case AVAHI_BROWSER_ALL_FOR_NOW:
      worker->all_for_now = TRUE;
      publish (worker);
      break;

    case AVAHI_BROWSER_FAILURE:
      worker_set_unavailable (worker, _("Network boards cannot be found: browsing through Avahi "
                                        "failed. Type the board's rfc2217:// address instead."));
      worker_set_settled (worker, TRUE);
      break;

    case AVAHI_BROWSER_CACHE_EXHAUSTED:
    default:
      break;
    }
}

static void
stop_browsing (Worker *worker)
{
  g_clear_pointer (&worker->browser, avahi_service_browser_free);
  g_ptr_array_set_size (worker->instances, 0);
  worker->all_for_now = FALSE;
}

static void     start_client (Worker *worker);
static gboolean restart_cb   (gpointer user_data);

static void
not_running (Worker *worker)
{
  stop_browsing (worker);
  worker_set_boards (worker,
                     g_ptr_array_new_with_free_func ((GDestroyNotify) glint_network_board_free));
  worker_set_unavailable (worker, _("Network boards cannot be found: Avahi (avahi-daemon) is not "
                                    "running. Start it, or type the board's rfc2217:// address."));
  worker_set_settled (worker, TRUE);
}

static void
client_cb (AvahiClient      *client,
           AvahiClientState  state,
           void             *user_data)
{
  Worker *worker = user_data;

  /* May run inside avahi_client_new(), before worker->client is set. */
  switch (state)
    {
    case AVAHI_CLIENT_S_RUNNING:
    case AVAHI_CLIENT_S_REGISTERING:
    case AVAHI_CLIENT_S_COLLISION:
      if (worker->browser != NULL)
        break;
      worker_set_unavailable (worker, NULL);
      worker_set_settled (worker, FALSE);
      worker->browser = avahi_service_browser_new (client, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                   "_iostream._tcp", NULL, 0, browse_cb, worker);
      if (worker->browser == NULL)
        {
          worker_set_unavailable (worker, _("Network boards cannot be found: browsing through "
                                            "Avahi failed. Type the board's rfc2217:// address "
                                            "instead."));
          worker_set_settled (worker, TRUE);
        }
      break;

    case AVAHI_CLIENT_CONNECTING:
      /* the daemon is not there (yet): the client waits for it */
      not_running (worker);
      break;

    case AVAHI_CLIENT_FAILURE:
    default:
      /* (a daemon that goes away is CONNECTING again: the client waits) */
      not_running (worker);
      if (avahi_client_errno (client) == AVAHI_ERR_DISCONNECTED && worker->client == client &&
          worker->restart == NULL)
        {
          /* the bus went away: a new client, once this one's callback is
           * over (it must not be freed from inside it) */
          worker->restart = g_idle_source_new ();
          g_source_set_callback (worker->restart, restart_cb, worker, NULL);
          g_source_set_static_name (worker->restart, "glint-network-browser-restart");
          g_source_attach (worker->restart, worker->context);
        }
      break;
    }
}

static gboolean
restart_cb (gpointer user_data)
{
  Worker *worker = user_data;

  g_clear_pointer (&worker->restart, g_source_unref);
  g_clear_pointer (&worker->client, avahi_client_free);
  start_client (worker);

  return G_SOURCE_REMOVE;
}

static void
start_client (Worker *worker)
{
  int error = 0;

  worker->client = avahi_client_new (avahi_glib_poll_get (worker->poll), AVAHI_CLIENT_NO_FAIL,
                                     client_cb, worker, &error);
  if (worker->client == NULL)
    {
      /* no system bus at all */
      g_debug ("no Avahi client: %s", avahi_strerror (error));
      not_running (worker);
    }
}

/* The worker's thread: the client, then its main context until the
 * browser goes. */
static gpointer
worker_thread (gpointer user_data)
{
  Worker *worker = user_data;

  g_main_context_push_thread_default (worker->context);
  worker->instances = g_ptr_array_new_with_free_func ((GDestroyNotify) instance_free);
  worker->poll = avahi_glib_poll_new (worker->context, G_PRIORITY_DEFAULT);
  start_client (worker);

  g_mutex_lock (&worker->lock);
  worker->answered = TRUE;
  worker_post (worker);
  g_mutex_unlock (&worker->lock);

  while (!g_atomic_int_get (&worker->stopping))
    g_main_context_iteration (worker->context, TRUE);

  if (worker->restart != NULL)
    g_source_destroy (worker->restart);
  g_clear_pointer (&worker->restart, g_source_unref);
  g_ptr_array_set_size (worker->instances, 0);
  g_clear_pointer (&worker->browser, avahi_service_browser_free);
  g_clear_pointer (&worker->client, avahi_client_free);
  g_clear_pointer (&worker->poll, avahi_glib_poll_free);
  g_clear_pointer (&worker->instances, g_ptr_array_unref);
  g_main_context_pop_thread_default (worker->context);
  worker_unref (worker);

  return NULL;
}

/* The worker has not answered in time: the bus or avahi-daemon hangs. */
static gboolean
bound_cb (gpointer user_data)
{
  GlintNetworkBrowser *self = user_data;
  g_autofree char *why = NULL;

  g_clear_pointer (&self->bound, g_source_unref);
  why = g_strdup_printf (_("Network boards unavailable: Avahi did not answer within %g s. "
                           "Check that avahi-daemon and the system bus (dbus) run, or type "
                           "the board's rfc2217:// address."),
                         self->answer_bound_ms / 1000.0);
  g_debug ("no answer from Avahi within %u ms", self->answer_bound_ms);
  set_unavailable (self, why);
  set_settled (self, TRUE);

  return G_SOURCE_REMOVE;
}

static void
start_worker (GlintNetworkBrowser *self)
{
  Worker *worker = g_new0 (Worker, 1);

  g_atomic_ref_count_init (&worker->ref);
  g_mutex_init (&worker->lock);
  worker->owner = self;
  worker->owner_context = g_main_context_ref_thread_default ();
  worker->context = g_main_context_new ();
  worker->boards = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_network_board_free);
  self->worker = worker;

  self->bound = g_timeout_source_new (self->answer_bound_ms);
  g_source_set_callback (self->bound, bound_cb, self, NULL);
  g_source_set_static_name (self->bound, "glint-network-browser-bound");
  g_source_attach (self->bound, worker->owner_context);

  /* the thread's reference; it runs on by itself (detached) */
  g_thread_unref (g_thread_new ("glint-avahi", worker_thread, worker_ref (worker)));
}

#endif /* HAVE_AVAHI */

static void
glint_network_browser_dispose (GObject *object)
{
#if HAVE_AVAHI
  GlintNetworkBrowser *self = GLINT_NETWORK_BROWSER (object);

  if (self->bound != NULL)
    g_source_destroy (self->bound);
  g_clear_pointer (&self->bound, g_source_unref);
  if (self->worker != NULL)
    {
      /* the thread ends once the call it may wait in returns */
      self->worker->owner = NULL;
      g_atomic_int_set (&self->worker->stopping, TRUE);
      g_main_context_wakeup (self->worker->context);
      g_clear_pointer (&self->worker, worker_unref);
    }
#endif

  G_OBJECT_CLASS (glint_network_browser_parent_class)->dispose (object);
}

static void
glint_network_browser_finalize (GObject *object)
{
  GlintNetworkBrowser *self = GLINT_NETWORK_BROWSER (object);

  g_clear_pointer (&self->boards, g_ptr_array_unref);
  g_free (self->unavailable);

  G_OBJECT_CLASS (glint_network_browser_parent_class)->finalize (object);
}

static void
glint_network_browser_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  GlintNetworkBrowser *self = GLINT_NETWORK_BROWSER (object);

  switch (prop_id)
    {
    case PROP_BOARDS:
      g_value_set_boxed (value, self->boards);
      break;
    case PROP_UNAVAILABLE:
      g_value_set_string (value, self->unavailable);
      break;
    case PROP_SETTLED:
      g_value_set_boolean (value, self->settled);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
glint_network_browser_class_init (GlintNetworkBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = glint_network_browser_dispose;
  object_class->finalize = glint_network_browser_finalize;
  object_class->get_property = glint_network_browser_get_property;

  /**
   * GlintNetworkBrowser:boards: (type GPtrArray(GlintNetworkBoard))
   *
   * The boards found, sorted by name; notified when the list changes.
   */
  properties[PROP_BOARDS] =
    g_param_spec_boxed ("boards", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * GlintNetworkBrowser:unavailable:
   *
   * Why no board can be found (Avahi is not running), or %NULL while the
   * browser can look.
   */
  properties[PROP_UNAVAILABLE] =
    g_param_spec_string ("unavailable", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * GlintNetworkBrowser:settled:
   *
   * %TRUE once Avahi has said what it knows for now and every board found
   * is resolved, or once the browser knows it cannot look.
   */
  properties[PROP_SETTLED] =
    g_param_spec_boolean ("settled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
glint_network_browser_init (GlintNetworkBrowser *self)
{
  self->boards = g_ptr_array_new_with_free_func ((GDestroyNotify) glint_network_board_free);
}

/**
 * glint_network_browser_new:
 *
 * Starts looking for boards on the network; the properties change in the
 * thread-default main context. Nothing here waits on D-Bus: where Avahi
 * does not answer within a few seconds, #GlintNetworkBrowser:unavailable
 * says so.
 */
GlintNetworkBrowser *
glint_network_browser_new (void)
{
  return _glint_network_browser_new_with_bound (ANSWER_BOUND_MS);
}

/**
 * _glint_network_browser_new_with_bound:
 * @bound_ms: how long Avahi may take to answer at start
 *
 * glint_network_browser_new() with another bound (tests).
 */
GlintNetworkBrowser *
_glint_network_browser_new_with_bound (guint bound_ms)
{
  GlintNetworkBrowser *self = g_object_new (GLINT_TYPE_NETWORK_BROWSER, NULL);

#if HAVE_AVAHI
  self->answer_bound_ms = bound_ms;
  start_worker (self);
#else
  (void) bound_ms;
  set_unavailable (self, _("Network boards cannot be found: this Glint was built without "
                           "Avahi. Type the board's rfc2217:// address."));
  set_settled (self, TRUE);
#endif

  return self;
}

/**
 * glint_network_browser_get_boards:
 *
 * Returns: (transfer none) (element-type GlintNetworkBoard): the boards found
 */
GPtrArray *
glint_network_browser_get_boards (GlintNetworkBrowser *self)
{
  g_return_val_if_fail (GLINT_IS_NETWORK_BROWSER (self), NULL);

  return self->boards;
}

const char *
glint_network_browser_get_unavailable (GlintNetworkBrowser *self)
{
  g_return_val_if_fail (GLINT_IS_NETWORK_BROWSER (self), NULL);

  return self->unavailable;
}

gboolean
glint_network_browser_get_settled (GlintNetworkBrowser *self)
{
  g_return_val_if_fail (GLINT_IS_NETWORK_BROWSER (self), FALSE);

  return self->settled;
}
