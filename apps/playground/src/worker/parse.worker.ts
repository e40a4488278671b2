/**
 * The parsing worker: reads a picked file as a stream with `parseDelimited` from
 * `@memrec/data` (the same parser as the Node loaders), reports progress in bytes, and sends
 * back the columns (transferred, not copied) and the raw ids; with a MovieLens `u.item`, the
 * titles and genres.
 */
import { parseDelimited } from '@memrec/data';
import { parseMovieLensItems } from '../items';
import type { FromParser, ToParser } from '../protocol';

const port = self as unknown as { postMessage(m: FromParser, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToParser>) => void) | null };

port.onmessage = async (e) => {
  const { file, itemsFile, delimiter, header, columns } = e.data;
  try {
    let last = 0;
    const d = await parseDelimited(file.stream(), {
      delimiter,
      header,
      columns,
      source: file.name,
      totalBytes: file.size,
      onProgress: (bytes, total) => {
        const now = performance.now();
        if (now - last > 50 || bytes === total) {
          last = now;
          port.postMessage({ type: 'progress', bytes, total });
        }
      },
    });
    const info = itemsFile ? parseMovieLensItems(new TextDecoder('latin1').decode(await itemsFile.arrayBuffer()), itemsFile.name) : null;
    const x = d.interactions;
    const data = { users: x.users, items: x.items, timestamps: x.timestamps, rawUsers: d.users.toJSON(), rawItems: d.items.toJSON(), numUsers: x.numUsers, numItems: x.numItems };
    const buffers = new Set<ArrayBufferLike>([x.users.buffer, x.items.buffer]);
    if (x.timestamps) buffers.add(x.timestamps.buffer);
    port.postMessage({ type: 'done', data, info, events: x.users.length }, [...buffers] as Transferable[]);
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
