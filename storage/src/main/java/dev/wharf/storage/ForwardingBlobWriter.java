package dev.wharf.storage;

import java.nio.ByteBuffer;

/** A {@link BlobWriter} that hands every call to another: the base of decorators that change one or two of them. */
public abstract class ForwardingBlobWriter implements BlobWriter {
    private final BlobWriter target;

    protected ForwardingBlobWriter(BlobWriter target) {
        this.target = target;
    }

    /** The writer calls go to. */
    protected final BlobWriter target() {
        return target;
    }

    @Override
    public void write(ByteBuffer src) {
        target.write(src);
    }

    @Override
    public long written() {
        return target.written();
    }

    @Override
    public BlobReader openPartial() {
        return target.openPartial();
    }

    @Override
    public void verify() {
        target.verify();
    }

    @Override
    public void commit() {
        target.commit();
    }

    @Override
    public void abort() {
        target.abort();
    }

    @Override
    public void close() {
        target.close();
    }
}
