package io.edgecl.cl;

/** A discovered device: the binding's handles plus its capabilities. */
public record ClDevice(ClBinding binding, ClHandle.Platform platform, ClHandle.Device device, DeviceInfo info) {
    @Override
    public String toString() {
        return info.summary();
    }
}
