/* SPDX-FileCopyrightText: 2026 The Glint developers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

/* termios2 lives in the kernel headers, which clash with <termios.h>: keep
 * it in its own file. It sees every speed, also those set through BOTHER. */
#include <asm/termbits.h>
#include <sys/ioctl.h>

#include "glint-sim-server-tty.h"

unsigned int
glint_sim_server_tty_get_baud (int fd)
{
  struct termios2 tio;

  if (ioctl (fd, TCGETS2, &tio) != 0)
    return 0;

  return tio.c_ospeed;
}

int
glint_sim_server_tty_make_raw (int fd)
{
  struct termios2 tio;

  if (ioctl (fd, TCGETS2, &tio) != 0)
    return -1;

  /* what cfmakeraw () does, at 115200 baud */
  tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  tio.c_oflag &= ~OPOST;
  tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  tio.c_cflag &= ~(CSIZE | PARENB | CBAUD);
  tio.c_cflag |= CS8 | BOTHER;
  tio.c_ispeed = 115200;
  tio.c_ospeed = 115200;

  return ioctl (fd, TCSETS2, &tio);
}
