package dev.loraflow.core.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loraflow.core.DType;
import dev.loraflow.core.HugePages;
import dev.loraflow.core.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * One safetensors file, memory-mapped read-only (zero copy, no 2 GB limit) or read into memory (see
 * {@link Residency}). Every tensor is a slice of the mapping or of that copy. The header is validated completely before any tensor is handed out: nothing is
 * read out of bounds, and no allocation is sized from an unchecked number.
 */
public final class SafetensorsFile implements WeightSource {
    /** Headers beyond this are refused rather than buffered (real ones are a few hundred KB). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    /** Bytes per read into memory: fine enough for a progress bar, far above any per-call cost. */
    private static final long READ_CHUNK = 64L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path path;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens the file {@link Residency#MAPPED}. */
    public static SafetensorsFile open(Path path) {
        return open(path, Residency.MAPPED);
    }

    /** Opens the file with its tensors held as {@code residency} says; the header is checked either way. */
    public static SafetensorsFile open(Path path, Residency residency) {
        return open(path, residency, bytes -> { });
    }

    /** As {@link #open(Path, Residency)}; an {@link Residency#IN_MEMORY} read reports each chunk's bytes to {@code progress}. */
    public static SafetensorsFile open(Path path, Residency residency, LongConsumer progress) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
             Arena headerArena = Arena.ofConfined()) {
            long size = channel.size();
            MemorySegment file = size == 0 ? MemorySegment.NULL
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, residency == Residency.MAPPED ? arena : headerArena);
            Header header = parseHeader(path, file, size);
            MemorySegment data = file.asSlice(header.dataStart());
            if (residency == Residency.IN_MEMORY) {
                data = HugePages.allocate(data.byteSize(), arena);
                readFully(path, channel, header.dataStart(), data, progress);
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : header.entries()) {
                tensors.put(e.name(), new Tensor(e.name(), e.dtype(), e.shape(), data.asSlice(e.begin(), e.end() - e.begin())));
            }
            return new SafetensorsFile(path, arena, Collections.unmodifiableMap(tensors), header.metadata());
        } catch (IOException e) {
            arena.close();
            throw new SafetensorsException(path + ": cannot read file: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) { // Error too: an OutOfMemoryError must not leave the copy allocated
            arena.close();
            throw e;
        }
    }

    /** dst = the file's bytes from {@code from} on, read in chunks of {@link #READ_CHUNK}, each reported to progress. */
    private static void readFully(Path path, FileChannel channel, long from, MemorySegment dst, LongConsumer progress)
            throws IOException {
        for (long done = 0; done < dst.byteSize(); ) {
            java.nio.ByteBuffer chunk = dst.asSlice(done, Math.min(READ_CHUNK, dst.byteSize() - done)).asByteBuffer();
            while (chunk.hasRemaining()) {
                if (channel.read(chunk, from + done + chunk.position()) < 0) {
                    throw new SafetensorsException(path + ": the file ended while it was being read (did it change"
                            + " while loading?); reopen it once it is complete");
                }
            }
            done += chunk.capacity();
            progress.accept(chunk.capacity());
        }
    }

    /** The entries in file order, and where the data section starts in the file. */
    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static Header parseHeader(Path path, MemorySegment file, long size) {
        if (size < 8) {
            throw new SafetensorsException(path + ": file is " + size
                    + " bytes, too short for a safetensors header (truncated download?)");
        }
        long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > size - 8) {
            throw new SafetensorsException(path + ": header length " + Long.toUnsignedString(headerLength)
                    + " does not fit in the file of " + size + " bytes (truncated or not a safetensors file)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new SafetensorsException(path + ": header length " + headerLength
                    + " bytes is absurdly large (limit " + MAX_HEADER_BYTES + "); not a safetensors file?");
        }
        byte[] headerBytes = file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        JsonNode root = parseJson(path, headerBytes);
        long dataStart = 8 + headerLength;
        long dataSize = size - dataStart;

        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                metadata = parseMetadata(path, field.getValue());
            } else {
                entries.add(parseEntry(path, field.getKey(), field.getValue(), dataSize));
            }
        }
        checkNoOverlap(path, entries);
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparing(Entry::name));
        return new Header(entries, metadata, dataStart);
    }

    private static JsonNode parseJson(Path path, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(path + ": header is not valid UTF-8 (corrupt file?)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new SafetensorsException(path + ": header is not valid JSON (" + e.getOriginalMessage()
                    + "); the file is corrupt or not safetensors");
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(path + ": header must be a JSON object mapping tensor names to entries");
        }
        return root;
    }

    private static Map<String, String> parseMetadata(Path path, JsonNode node) {
        if (!node.isObject()) {
            throw new SafetensorsException(path + ": __metadata__ must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw new SafetensorsException(path + ": __metadata__ value for '" + f.getKey() + "' must be a string");
            }
            out.put(f.getKey(), f.getValue().textValue());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataSize) {
        String where = path + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsException(where + ": entry must be an object with dtype, shape, data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsException(where + ": missing or non-string 'dtype'");
        }
        DType dtype = DType.fromSafetensorsName(dtypeNode.textValue()).orElseThrow(() ->
                new SafetensorsException(where + ": unknown dtype '" + dtypeNode.textValue() + "'"));
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() > 8) {
            throw new SafetensorsException(where + ": 'shape' must be an array of at most 8 dimensions");
        }
        long[] shape = new long[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new SafetensorsException(where + ": shape entry " + d + " is not a non-negative integer");
            }
            shape[i] = d.longValue();
            numel = multiply(where, numel, shape[i]);
        }
        long expectedBytes = multiply(where, numel, dtype.byteSize());
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new SafetensorsException(where + ": 'data_offsets' must be two integers [begin, end]");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafetensorsException(where + ": data_offsets [" + begin + ", " + end
                    + "] fall outside the data section of " + dataSize + " bytes (truncated file?)");
        }
        if (end - begin != expectedBytes) {
            throw new SafetensorsException(where + ": holds " + (end - begin) + " bytes but dtype " + dtype
                    + " and shape " + java.util.Arrays.toString(shape) + " need " + expectedBytes);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long multiply(String where, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new SafetensorsException(where + ": shape is too large (size overflows)");
        }
    }

    private static void checkNoOverlap(Path path, List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1);
            Entry cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new SafetensorsException(path + ": tensors '" + prev.name() + "' and '" + cur.name()
                        + "' overlap in the data section (corrupt file)");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** Tensors in file order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    @Override
    public Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() {
        arena.close();
    }
}
