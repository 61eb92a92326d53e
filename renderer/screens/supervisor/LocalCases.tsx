/**
 * 本机办件 for supervisors: the cases this console holds (the clerk's list with the whole hall's scope)
 * and the case drawer, where a supervisor can 查看完整信息 (audited reveal).
 */
import { Card } from 'antd';
import { useState } from 'react';
import { DEFAULT_CASE_FILTERS, useCases } from '../../store/cases';
import { CaseDrawer } from '../clerk/CaseDrawer';
import { CaseList } from '../clerk/CaseList';

export function LocalCases() {
  // Before the list's first load: a supervisor has no counter, so the list covers every counter.
  useState(() => useCases.setState({ filters: { ...DEFAULT_CASE_FILTERS, scope: 'hall' } }));
  return (
    <Card title="本机办件" style={{ margin: 16 }} data-testid="local-cases">
      <CaseList />
      <CaseDrawer />
    </Card>
  );
}
