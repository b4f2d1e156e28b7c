package dev.wharf.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedirectGuardTest {
    /** Names mapped as a hostile DNS might map them; IP literals resolve as themselves. */
    private static final Map<String, String> DNS = Map.of(
            "registry.example", "203.0.113.10",
            "cdn.example", "198.51.100.7",
            "registry.evil.test", "203.0.113.66",
            "attacker.evil.test", "127.0.0.1",
            "metadata.evil.test", "169.254.169.254",
            "lan.evil.test", "10.0.0.5",
            "cgnat.evil.test", "100.64.1.1",
            "registry.corp", "10.1.2.3",
            "mirror.corp", "192.168.7.7");

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        String ip = DNS.get(host);
        if (ip != null) {
            return new InetAddress[] {InetAddress.getByName(ip)};
        }
        if (Character.isDigit(host.charAt(0)) || host.contains(":")) {
            return new InetAddress[] {InetAddress.getByName(host)};
        }
        throw new UnknownHostException(host);
    }

    @ParameterizedTest(name = "{1} from {0}: {2}")
    @CsvSource({
        "https://registry.example, https://cdn.example/blob, true",
        "https://registry.example, https://registry.example:8443/blob, true",
        "https://registry.evil.test, https://attacker.evil.test/blob, false",
        "https://registry.evil.test, https://metadata.evil.test/latest, false",
        "https://registry.evil.test, https://lan.evil.test/blob, false",
        "https://registry.evil.test, https://cgnat.evil.test/blob, false",
        "https://registry.evil.test, http://127.0.0.1:5001/blob, false",
        "https://registry.evil.test, http://0.0.0.0:5001/blob, false",
        "https://registry.evil.test, http://[::1]:5001/blob, false",
        "https://registry.evil.test, http://[fe80::1]/blob, false",
        "https://registry.evil.test, http://[fd00::1]/blob, false",
        "https://registry.evil.test, http://[::ffff:127.0.0.1]/blob, false",
        "https://registry.evil.test, http://224.0.0.1/blob, false",
        "https://registry.evil.test, https://nowhere.invalid/blob, false",
        // An upstream on an internal address may redirect within its own kind of address, and to public ones.
        "http://127.0.0.1:5000, http://127.0.0.1:5001/blob, true",
        "http://127.0.0.1:5000, http://attacker.evil.test:5001/blob, true",
        "http://127.0.0.1:5000, http://169.254.169.254/latest, false",
        "http://127.0.0.1:5000, http://lan.evil.test/blob, false",
        "http://127.0.0.1:5000, https://cdn.example/blob, true",
        "https://registry.corp, https://mirror.corp/blob, true",
        "https://registry.corp, http://127.0.0.1/blob, false",
    })
    void decides(String upstream, String target, boolean allowed) {
        RedirectGuard guard = new RedirectGuard(RedirectGuardTest::resolve, URI.create(upstream));
        URI to = URI.create(target);
        if (allowed) {
            assertDoesNotThrow(() -> guard.check(to));
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> guard.check(to));
            assertFalse(e.getMessage().contains(to.getHost()), e.getMessage());
        }
    }
}
