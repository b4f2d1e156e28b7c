package dev.wharf.proxy.http;

import io.netty.channel.DefaultFileRegion;
import java.nio.channels.FileChannel;

/**
 * A region of a file that is still being read through other regions: released, it leaves the file open for its
 * owner to close. A {@link DefaultFileRegion}, so that the epoll transport sends it with sendfile(2).
 */
final class SharedFileRegion extends DefaultFileRegion {
    SharedFileRegion(FileChannel file, long position, long count) {
        super(file, position, count);
    }

    @Override
    protected void deallocate() {
        // The file belongs to the reader that opened it.
    }
}
