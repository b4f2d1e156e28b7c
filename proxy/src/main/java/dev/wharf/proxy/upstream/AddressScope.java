package dev.wharf.proxy.upstream;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Where an IP address leads: the public internet, or one of the internal ranges a redirect must not reach. */
enum AddressScope {
    PUBLIC,
    /** 127/8, ::1, and the unspecified 0.0.0.0 / :: (which Linux connects to this host). */
    LOOPBACK,
    /** 169.254/16 (cloud metadata services live there) and fe80::/10. */
    LINK_LOCAL,
    /** 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT) and fc00::/7. */
    PRIVATE,
    MULTICAST;

    static AddressScope of(InetAddress address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return LOOPBACK;
        }
        if (address.isLinkLocalAddress()) {
            return LINK_LOCAL;
        }
        if (address.isMulticastAddress()) {
            return MULTICAST;
        }
        byte[] b = address.getAddress();
        if (address.isSiteLocalAddress()
                || address instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64
                || address instanceof Inet6Address && (b[0] & 0xfe) == 0xfc) {
            return PRIVATE;
        }
        return PUBLIC;
    }
}
