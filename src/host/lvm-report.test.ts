import { describe, expect, it } from 'vitest';
import { gatherLvm, parseLvmReport } from './lvm-report.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';
import { recorded } from './testing/fixtures.js';

describe('parseLvmReport', () => {
  it("reads lvm2's JSON rows as strings, hidden LVs in brackets included", () => {
    const rows = parseLvmReport(recorded('lvs-2.03.16-thinpool-inactive.json'), 'lv');
    expect(rows.map((r) => r['lv_name'])).toEqual(['[lvol0_pmspare]', 'thinpool', '[thinpool_tdata]', '[thinpool_tmeta]']);
    expect(rows[1]).toEqual({ lv_name: 'thinpool', vg_name: 'docker', lv_attr: 'twi---t---', lv_size: '1015021568B', data_percent: '', metadata_percent: '', pool_lv: '', seg_monitor: '' });
  });
  it('reads an active pool and the VG report', () => {
    expect(parseLvmReport(recorded('lvs-thinpool-active-edited.json'), 'lv')[1]).toMatchObject({ lv_attr: 'twi-aot---', data_percent: '91.27', metadata_percent: '4.35', seg_monitor: 'monitored' });
    expect(parseLvmReport(recorded('vgs-2.03.16.json'), 'vg')).toEqual([{ vg_name: 'docker', vg_size: '1069547520B', vg_free: '37748736B' }]);
  });
  it('accepts json_std numbers and nulls, a "log" section, and text before the JSON', () => {
    const text = '  WARNING: something\n{"report":[{"lv":[{"lv_name":"thinpool","data_percent":23.49,"metadata_percent":null}]}],"log":[]}';
    expect(parseLvmReport(text, 'lv')).toEqual([{ lv_name: 'thinpool', data_percent: '23.49', metadata_percent: '' }]);
  });
  it('throws on output that is not a report', () => {
    expect(() => parseLvmReport('  No volume groups found', 'lv')).toThrow(/no JSON object/);
  });
});

describe('gatherLvm', () => {
  it('says lvs is not installed', async () => {
    const gaps: string[] = [];
    expect(await gatherLvm(fakeHostProbe({}), gaps)).toBeNull();
    expect(gaps).toEqual(['lvs is not installed: thin pool details unknown.']);
  });
  it('gives the reason an unprivileged lvs prints last', async () => {
    const gaps: string[] = [];
    const probe = fakeHostProbe({
      commands: {
        lvs: () => ({ code: Number(recorded('lvs-2.03.16-nonroot.rc')), stdout: recorded('lvs-2.03.16-nonroot.stdout'), stderr: recorded('lvs-2.03.16-nonroot.stderr') }),
      },
    });
    expect(await gatherLvm(probe, gaps)).toBeNull();
    expect(gaps[0]).toMatch(/^lvs failed \(\/run\/lock\/lvm\/P_global:aux: open failed: Permission denied\)/);
  });
  it('returns both reports', async () => {
    const probe = fakeHostProbe({
      commands: {
        lvs: () => ({ code: 0, stdout: recorded('lvs-thinpool-active-edited.json'), stderr: '' }),
        vgs: () => ({ code: 0, stdout: recorded('vgs-2.03.16.json'), stderr: '' }),
      },
    });
    const lvm = await gatherLvm(probe, []);
    expect(lvm?.lvs).toHaveLength(4);
    expect(lvm?.vgs[0]?.['vg_free']).toBe('37748736B');
    expect(probe.calls[0]).toBe('lvs --reportformat json -a --units b -o lv_name,vg_name,lv_attr,lv_size,data_percent,metadata_percent,pool_lv,seg_monitor');
  });
});
