// CSV import wizard: upload → preview → map columns (suggested from FR/EN headers) → dry run
// with the per-row report → import in batches with a progress bar.
import { useState } from 'preact/hooks';
import { ApiError, qs, request } from '../api';
import { getLang, num, t } from '../i18n';
import { importFields, suggestMapping } from '../record_types';
import { parseCsv, toCsv } from '../csv';

type Res = 'contacts' | 'companies' | 'deals';
interface Rejected {
  row: number;
  column?: string;
  reason: string;
}
interface Report {
  rows: number;
  imported: number;
  rejected: Rejected[];
  dry_run?: boolean;
}

const BATCH = 500;

// Spreadsheets often save CSV as Windows-1252: decode strictly as UTF-8 first, then fall back.
function decode(buf: ArrayBuffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('windows-1252').decode(buf);
  }
}

export function ImportPage() {
  const [resource, setResource] = useState<Res>('contacts');
  const [fileName, setFileName] = useState('');
  const [rows, setRows] = useState<string[][]>([]);
  const [mapping, setMapping] = useState<string[]>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const header = rows[0] || [];
  const data = rows.slice(1);
  const targets = importFields(resource).map((f) => ({ value: f.field, text: getLang() === 'fr' ? f.label.fr : f.label.en }));

  async function onFile(file: File | undefined) {
    setReport(null);
    setError('');
    setProgress(null);
    if (!file) return;
    setFileName(file.name);
    const parsed = parseCsv(decode(await file.arrayBuffer()));
    if (parsed.length < 2) {
      setRows([]);
      setError(t('import.empty'));
      return;
    }
    setRows(parsed);
    setMapping(parsed[0].map((h) => suggestMapping(resource, h)));
  }

  // Rebuilds the CSV with only the mapped columns, headed by the target field names.
  function csvFor(part: string[][]): string {
    const cols = mapping.map((m, i) => (m ? i : -1)).filter((i) => i >= 0);
    return toCsv([cols.map((i) => mapping[i]), ...part.map((r) => cols.map((i) => r[i] ?? ''))]);
  }

  // The file sent carries field names as headers; report the user's own column names.
  function originalHeader(column: string | undefined): string | undefined {
    if (!column) return column;
    const headers = header.filter((_, i) => mapping[i] === column);
    return headers.length ? headers.join(', ') : column;
  }

  async function send(part: string[][], dryRun: boolean): Promise<Report> {
    return request<Report>('POST', `/imports/${resource}${qs({ dry_run: dryRun ? 'true' : undefined })}`, undefined, {
      rawBody: csvFor(part),
      contentType: 'text/csv; charset=utf-8',
    });
  }

  async function run(dryRun: boolean) {
    setBusy(true);
    setError('');
    setReport(null);
    const total: Report = { rows: 0, imported: 0, rejected: [], dry_run: dryRun };
    try {
      for (let start = 0; start < data.length; start += BATCH) {
        setProgress(start / data.length);
        const r = await send(data.slice(start, start + BATCH), dryRun);
        total.rows += r.rows ?? 0;
        total.imported += r.imported ?? 0;
        total.rejected.push(...(r.rejected || []).map((x) => ({ ...x, row: Number(x.row) + start, column: originalHeader(x.column) })));
      }
      setProgress(1);
      setReport(total);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      if (total.rows) setReport(total);
    } finally {
      setBusy(false);
    }
  }

  const mapped = mapping.some(Boolean);
  return (
    <div class="page import-page">
      <h1>{t('nav.import')}</h1>
      <section class="panel" aria-labelledby="imp-1">
        <h2 id="imp-1">{t('import.step1')}</h2>
        <div class="inline">
          <div class="field">
            <label for="imp-res">{t('import.recordType')}</label>
            <select
              id="imp-res"
              value={resource}
              onChange={(e) => {
                const r = (e.target as HTMLSelectElement).value as Res;
                setResource(r);
                setMapping(header.map((h) => suggestMapping(r, h)));
                setReport(null);
              }}
            >
              <option value="contacts">{t('nav.contacts')}</option>
              <option value="companies">{t('nav.companies')}</option>
              <option value="deals">{t('nav.deals')}</option>
            </select>
          </div>
          <div class="field">
            <label for="imp-file">{t('import.file')}</label>
            <input id="imp-file" type="file" accept=".csv,text/csv" onChange={(e) => onFile((e.target as HTMLInputElement).files?.[0])} />
          </div>
        </div>
        {fileName && rows.length ? <p>{t('import.fileSummary', { name: fileName, rows: num(data.length) })}</p> : null}
      </section>

      {rows.length ? (
        <section class="panel" aria-labelledby="imp-2">
          <h2 id="imp-2">{t('import.step2')}</h2>
          <div class="table-wrap">
            <table aria-label={t('import.preview')}>
              <thead>
                <tr>
                  {header.map((h, i) => (
                    <th scope="col" key={i}>
                      <div>{h}</div>
                      <label class="sr-only" for={`map-${i}`}>
                        {t('import.mapColumn', { column: h })}
                      </label>
                      <select id={`map-${i}`} value={mapping[i] || ''} onChange={(e) => setMapping(mapping.map((m, j) => (j === i ? (e.target as HTMLSelectElement).value : m)))}>
                        <option value="">{t('import.ignore')}</option>
                        {targets.map((x) => (
                          <option key={x.value} value={x.value}>
                            {x.text}
                          </option>
                        ))}
                      </select>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.slice(0, 5).map((r, i) => (
                  <tr key={i}>
                    {header.map((_, j) => (
                      <td key={j}>{r[j] ?? ''}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="form-actions">
            <button type="button" disabled={busy || !mapped} onClick={() => run(true)}>
              {t('import.dryRun')}
            </button>
            <button type="button" class="primary" disabled={busy || !mapped} onClick={() => run(false)}>
              {t('import.run')}
            </button>
          </div>
          {progress !== null ? (
            <progress aria-label={t('import.progress')} max={1} value={progress}>
              {Math.round(progress * 100)}%
            </progress>
          ) : null}
        </section>
      ) : null}
      {error ? (
        <p role="alert" class="msg-error">
          {error}
        </p>
      ) : null}
      {report ? (
        <section class="panel" aria-labelledby="imp-3">
          <h2 id="imp-3">{report.dry_run ? t('import.dryRunReport') : t('import.report')}</h2>
          <p role="status">
            {t(report.dry_run ? 'import.summaryDry' : 'import.summary', {
              rows: num(report.rows),
              imported: num(report.imported),
              rejected: num(report.rejected.length),
            })}
          </p>
          {report.rejected.length ? (
            <table aria-label={t('import.rejected')}>
              <thead>
                <tr>
                  <th scope="col">{t('import.row')}</th>
                  <th scope="col">{t('import.column')}</th>
                  <th scope="col">{t('import.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {report.rejected.map((r, i) => (
                  <tr key={i}>
                    <td>{r.row}</td>
                    <td>{r.column || ''}</td>
                    <td>{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
