// DynamoDB: the tables (by stack), their key schema and item count; a scan or a query on the
// partition key, a page of items as a table or as JSON.
import { useState } from 'preact/hooks';
import { admin, aws, stackOf, type Stack } from '../api.js';
import { Json, link, Problem, useLoad } from '../ui.js';

interface TableDescription {
  TableName: string;
  ItemCount?: number;
  KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
}
type Item = Record<string, Record<string, unknown>>;

/** A DynamoDB attribute value as text: `{"S": "x"}` is x. */
const plain = (value: Record<string, unknown> | undefined): string => {
  if (!value) return '';
  const [type, v] = Object.entries(value)[0] ?? [];
  if (type === 'S' || type === 'N') return String(v);
  if (type === 'BOOL') return String(v);
  if (type === 'NULL') return 'null';
  return JSON.stringify(v);
};

export function TablesPage({ table }: { table?: string | undefined }) {
  const [tables, error] = useLoad(async () => {
    const [{ TableNames }, { stacks }] = await Promise.all([
      aws<{ TableNames: string[] }>('DynamoDB_20120810.ListTables', {}),
      admin<{ stacks: Stack[] }>('stacks'),
    ]);
    return TableNames.map((name) => ({ name, stack: stackOf(stacks, name) ?? '' }));
  }, []);
  if (table) return <TablePage name={table} />;
  return (
    <>
      <h1>DynamoDB tables</h1>
      <Problem text={error} />
      <ul class="list">
        {tables?.map((t) => (
          <li>
            <a href={link('dynamodb', t.name)}>{t.name}</a> <span class="muted">{t.stack}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

function TablePage({ name }: { name: string }) {
  const [table, error] = useLoad(
    () => aws<{ Table: TableDescription }>('DynamoDB_20120810.DescribeTable', { TableName: name }).then((r) => r.Table),
    [name],
  );
  const [key, setKey] = useState('');
  const [asJson, setAsJson] = useState(false);
  const [items, setItems] = useState<Item[]>();
  const [problem, setProblem] = useState<string>();
  const hash = table?.KeySchema.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const run = async (e: Event) => {
    e.preventDefault();
    try {
      const result = key.trim()
        ? await aws<{ Items: Item[] }>('DynamoDB_20120810.Query', {
            TableName: name,
            KeyConditionExpression: '#k = :v',
            ExpressionAttributeNames: { '#k': hash },
            ExpressionAttributeValues: { ':v': { S: key.trim() } },
            Limit: 50,
          })
        : await aws<{ Items: Item[] }>('DynamoDB_20120810.Scan', { TableName: name, Limit: 50 });
      setItems(result.Items);
      setProblem(undefined);
    } catch (error) {
      setProblem((error as Error).message);
    }
  };
  const columns = [...new Set((items ?? []).flatMap((i) => Object.keys(i)))].slice(0, 12);
  return (
    <>
      <p>
        <a href="#/dynamodb">DynamoDB tables</a>
      </p>
      <h1>Table {name}</h1>
      <Problem text={error} />
      {table && (
        <p>
          Key:{' '}
          {table.KeySchema.map((k) => `${k.AttributeName} (${k.KeyType === 'HASH' ? 'partition' : 'sort'})`).join(', ')}
          ; about {table.ItemCount ?? 0} items.
        </p>
      )}
      <form class="inline" onSubmit={run}>
        <label for="key">{hash ?? 'Partition key'} (empty: scan)</label>
        <input id="key" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit">{key.trim() ? 'Query' : 'Scan'}</button>
        <label>
          <input type="checkbox" checked={asJson} onChange={(e) => setAsJson(e.currentTarget.checked)} /> As JSON
        </label>
      </form>
      <Problem text={problem} />
      {items &&
        (asJson ? (
          <Json value={items} label="Items" />
        ) : (
          <table>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th scope="col">{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr>
                  {columns.map((c) => (
                    <td class="mono">{plain(item[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </>
  );
}
