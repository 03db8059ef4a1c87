/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#pragma once

unsigned int glint_sim_server_tty_get_baud (int fd);
int          glint_sim_server_tty_make_raw (int fd);
