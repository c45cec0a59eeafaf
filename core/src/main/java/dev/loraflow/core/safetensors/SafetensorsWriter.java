package dev.loraflow.core.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loraflow.core.DType;
import dev.loraflow.core.LoraflowException;
import dev.loraflow.core.io.AtomicFiles;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects tensors and writes one safetensors file atomically (temporary file, then rename). */
public final class SafetensorsWriter {
    private record Pending(String name, DType dtype, long[] shape, MemorySegment bytes) {}

    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds raw little-endian bytes; their length must equal product(shape) × dtype size. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, MemorySegment bytes) {
        long numel = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (numel * dtype.byteSize() != bytes.byteSize()) {
            throw new LoraflowException("tensor '" + name + "': " + bytes.byteSize() + " bytes given for dtype " + dtype
                    + " and shape " + Arrays.toString(shape));
        }
        if (name.equals("__metadata__") || pending.stream().anyMatch(p -> p.name().equals(name))) {
            throw new LoraflowException("tensor name '" + name + "' is reserved or already added");
        }
        pending.add(new Pending(name, dtype, shape.clone(), bytes));
        return this;
    }

    public SafetensorsWriter addF32(String name, long[] shape, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return add(name, DType.F32, shape, MemorySegment.ofArray(buf.array()));
    }

    /** Writes {@code values} converted to {@code dtype} (F32, BF16 with round-to-nearest-even, or F16). */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float[] values) {
        if (dtype == DType.F32) {
            return addF32(name, shape, values);
        }
        ByteBuffer buf = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putShort(switch (dtype) {
                case BF16 -> FloatConversions.floatToBf16(v);
                case F16 -> Float.floatToFloat16(v);
                default -> throw new LoraflowException("cannot write tensor '" + name + "' as " + dtype);
            });
        }
        return add(name, dtype, shape, MemorySegment.ofArray(buf.array()));
    }

    public void write(Path target) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Pending p : pending) {
            ObjectNode entry = header.putObject(p.name());
            entry.put("dtype", p.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : p.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = entry.putArray("data_offsets");
            offsets.add(offset);
            offset += p.bytes().byteSize();
            offsets.add(offset);
        }
        byte[] headerJson = header.toString().getBytes(StandardCharsets.UTF_8);
        // The data section starts on a 64-byte boundary (the format allows padding the header with spaces): mapped
        // matrices then start on a cache line, which the decode matvec streams faster (docs/benchmarks.md).
        int padded = (headerJson.length + 8 + 63) / 64 * 64 - 8;
        byte[] headerBytes = Arrays.copyOf(headerJson, padded);
        Arrays.fill(headerBytes, headerJson.length, padded, (byte) ' ');
        AtomicFiles.write(target, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            byte[] chunk = new byte[1 << 20];
            for (Pending p : pending) {
                long size = p.bytes().byteSize();
                for (long pos = 0; pos < size; pos += chunk.length) {
                    int n = (int) Math.min(chunk.length, size - pos);
                    MemorySegment.copy(p.bytes(), ValueLayout.JAVA_BYTE, pos, chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        });
    }
}
